"""REST API v1 of the hub, nested under /api/v1/partnerships/<uuid>/: threads, their messages and
attachments, and the document library with its versions.

Every viewset subclasses `PartnershipScopedAPIMixin`. Threads always come from
`Thread.objects.for_access`, so an internal thread of the other side answers 404 to them and to
the facilitator on every route: the thread named in a URL is resolved through it before the role
check, and so is every message and attachment below it. Writes go through `messaging.services`
(participants of either side); files leave only through `partnership.uploads.download_response`.
"""

from .base import ID_REGEX
from .documents import DocumentVersionViewSet, DocumentViewSet
from .threads import AttachmentViewSet, MessageViewSet, ThreadViewSet

__all__ = [
    "ID_REGEX",
    "AttachmentViewSet",
    "DocumentVersionViewSet",
    "DocumentViewSet",
    "MessageViewSet",
    "ThreadViewSet",
]
