"""Agencies (instansi) and their staff."""
