"""Content: the typed block model, the catalogue, audience views and provenance checks."""
