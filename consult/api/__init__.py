"""JSON API v1 (see CONTRACT.md and docs/API.md)."""

from consult.api import (
    participation,  # noqa: F401 - registers the participation routes on bp
    round_actions,  # noqa: F401 - registers closing and extending rounds on bp
)
from consult.api.views import bp

__all__ = ["bp"]
