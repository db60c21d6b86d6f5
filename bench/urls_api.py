"""The product's URLconf plus two benchmark-only views (bench/api.py selects it through
bench/settings_api.py; it is never the product's ROOT_URLCONF, so no route leaks into it).

- /bench/bare/: a DRF view without authentication, permission, throttle or database.
- /bench/bare-auth/: the same view behind the API's default authentication, permission and
  throttle classes (Bearer token, MFA policy, `IsAuthenticated`, the per-user rate).
"""

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


urlpatterns = [
    path("bench/bare/", BareView.as_view()),
    path("bench/bare-auth/", BareAuthView.as_view()),
    *urlpatterns,
]
