"""Seeds: the source documents, their registry, encoding repair, outlines and ingestion."""
