"""The product's URLconf plus two benchmark-only views (bench/api.py selects it through
bench/settings_api.py; it is never the product's ROOT_URLCONF, so no route leaks into it).

- /bench/bare/: a DRF view without authentication, permission, throttle or database.
- /bench/bare-auth/: the same view behind the API's default authentication, permission and
  throttle classes (Bearer token, MFA policy, `IsAuthenticated`, the per-user rate).
- /bench/floor/partnerships/: the least any implementation of `GET /api/v1/partnerships/` must
  do, behind that same authentication: one statement, prepared by the driver, that applies the
  access rule, counts, sorts and pages the caller's partnerships, joins their organisations and
  builds the page's JSON in PostgreSQL; Python only passes the bytes on. No ORM, no serializer.
  It measures the floor a list could reach, not a way to build one.
"""

from django.db import connection
from django.http import HttpResponse
from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import handler400, handler403, handler404, handler500, urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


class BareView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    def get(self, request):
        return Response({"ok": True})


class BareAuthView(APIView):
    # The API's defaults (settings.REST_FRAMEWORK), as every product viewset has them.

    def get(self, request):
        return Response({"ok": True})


# The partnership list's access rule, order, page and fields (partnership/api.py,
# PartnershipSerializer) in one statement. Datetimes are rendered by PostgreSQL, not as DRF would.
FLOOR_SQL = """
WITH visible AS (
    SELECT p.id, p.title, p.client_id, p.supplier_id, p.services, p.phase, p.core_values,
           p.culture, p.future_vision, p.created_at, p.updated_at
    FROM partnership_partnership p
    WHERE p.id IN (SELECT partnership_id FROM partnership_participant
                   WHERE deactivated_at IS NULL AND user_id = %(user)s)
       OR p.client_id IN (SELECT organization_id FROM partnership_membership
                          WHERE role IN ('admin', 'manager') AND user_id = %(user)s)
       OR p.supplier_id IN (SELECT organization_id FROM partnership_membership
                            WHERE role IN ('admin', 'manager') AND user_id = %(user)s)
), page AS (
    SELECT * FROM visible ORDER BY title, id LIMIT 50
)
SELECT json_build_object(
    'count', (SELECT count(*) FROM visible),
    'next', NULL,
    'previous', NULL,
    'results', COALESCE((
        SELECT json_agg(json_build_object(
            'id', page.id, 'title', page.title,
            'client', json_build_object('id', c.id, 'name', c.name, 'slug', c.slug),
            'supplier', json_build_object('id', s.id, 'name', s.name, 'slug', s.slug),
            'services', page.services, 'phase', page.phase, 'core_values', page.core_values,
            'culture', page.culture, 'future_vision', page.future_vision,
            'participant_count', (SELECT count(*) FROM partnership_participant u
                                  WHERE u.partnership_id = page.id AND u.deactivated_at IS NULL),
            'contract_end', (SELECT max(end_date) FROM partnership_contract k
                             WHERE k.partnership_id = page.id),
            'created_at', page.created_at, 'updated_at', page.updated_at
        ) ORDER BY page.title, page.id)
        FROM page
        JOIN partnership_organization c ON c.id = page.client_id
        JOIN partnership_organization s ON s.id = page.supplier_id
    ), '[]'::json)
)::text
"""


class FloorPartnershipsView(APIView):
    # The API's defaults, as BareAuthView.

    def get(self, request):
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL, {"user": request.user.pk})
            body = cursor.fetchone()[0]
        return HttpResponse(body, content_type="application/json")


urlpatterns = [
    path("bench/bare/", BareView.as_view()),
    path("bench/bare-auth/", BareAuthView.as_view()),
    path("bench/floor/partnerships/", FloorPartnershipsView.as_view()),
    *urlpatterns,
]
