"""The ground floor's pages. Routed in `partnership.urls`."""

from .partnerships import apply_errors

__all__ = ["apply_errors"]
