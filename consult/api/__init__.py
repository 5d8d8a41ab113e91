"""JSON API v1 (see CONTRACT.md and docs/API.md)."""

from consult.api import moderation, participation  # noqa: F401 - register their routes on bp
from consult.api.views import bp

__all__ = ["bp"]
