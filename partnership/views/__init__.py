"""The ground floor's pages, one module per page family: partnerships, participants, contracts,
the communication plan (plan), organisations with their members and invitations (orgs), and the
pages outside any one partnership (the dashboard, notifications, the invitation link). Routed in
`partnership.urls`. The pages of every app show a service's errors with `apply_errors`, and an
edit form submitted unchanged writes nothing (`nothing_changed`)."""

from .base import apply_errors, nothing_changed, same_text

__all__ = ["apply_errors", "nothing_changed", "same_text"]
