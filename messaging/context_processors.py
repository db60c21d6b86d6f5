from . import selectors


def hub(request):
    """The header's unread-thread badge: one query, only when signed in."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_threads": selectors.unread_count(user=user)}
