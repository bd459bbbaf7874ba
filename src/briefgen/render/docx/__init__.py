"""Word documents: brand styles, statements with ids, citations as footnotes, and the package written reproducibly."""
