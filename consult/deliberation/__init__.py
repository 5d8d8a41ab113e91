"""Deliberation computations: opinion groups, mass-comment campaigns and Polis exports, as plain modules."""
