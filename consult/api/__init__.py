"""JSON API v1 (see CONTRACT.md and docs/API.md)."""

from consult.api.views import bp

__all__ = ["bp"]
