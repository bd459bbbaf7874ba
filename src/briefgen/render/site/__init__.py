"""The web edition: pages of a static site per audience (briefs, home, sources, editions, feed, search index)."""
