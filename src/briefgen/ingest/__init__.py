"""Ingest: outline a new source, draft blocks and additions from it in the catalogue's vocabulary."""
