"""Editions: the record of what each document showed, edition by edition, and what changed between two."""
