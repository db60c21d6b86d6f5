from .models import Notification
from .navigation import header_links_for


def tandem(request):
    """Header data: unread notification count (one cheap query, only when signed in) and the
    feature apps' header links."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    return {
        "unread_notifications": unread.count(),
        "header_links": header_links_for(user),
    }
