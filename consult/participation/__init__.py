"""Participation: comments and replies, stances per section, votes on comments, reports."""
