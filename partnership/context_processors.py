from functools import cache

from .models import Notification
from .navigation import header_links_for


def tandem(request):
    """Header data: the unread notification count and the feature apps' header links with
    their badges. Both are worked out when a template first reads them (full pages do,
    fragments and API answers don't) and at most once per request, however many templates the
    request renders: the context is kept on the request."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    header = getattr(request, "_tandem_header", None)
    if header is None:

        @cache
        def unread_notifications() -> int:
            return Notification.objects.filter(user=user, read_at__isnull=True).count()

        header = {
            "unread_notifications": unread_notifications,
            "header_links": header_links_for(user),
        }
        request._tandem_header = header
    return header
