"""Tests of the pure deliberation computations (opinion groups, campaigns, Polis exports)."""
