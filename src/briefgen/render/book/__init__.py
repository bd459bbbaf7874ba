"""The briefing book: plan, matrix figure, cached segments and the join."""
