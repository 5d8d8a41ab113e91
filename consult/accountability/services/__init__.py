"""Accountability services: the services an agency's standards cover, their commitments, complaints."""
