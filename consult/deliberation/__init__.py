"""Deliberation computations after a round closes: suggested themes, opinion groups, campaigns."""
