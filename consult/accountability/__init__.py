"""Accountability after adoption: commitments, complaints and their deadlines, the satisfaction index."""
