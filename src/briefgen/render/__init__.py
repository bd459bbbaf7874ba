"""Rendering: Markdown, templates, document context, source notes, PDF, one-pager fit and the book."""
