"""Consultation rounds: a published version open for comment between two times."""
