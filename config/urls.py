from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.access import SignedInUnlessDebug, login_required_unless_debug
from kpis.views import offline as inspection_offline
from messaging import urls as messaging_urls
from partnership import health
from partnership import urls as partnership_urls
from partnership.observability import metrics
from reviews import urls as reviews_urls

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    # The inspection page's service worker, from the root so its scope may cover that page.
    path(
        "inspection-sw.js",
        inspection_offline.inspection_service_worker,
        name="inspection_service_worker",
    ),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # Signed-in only when DEBUG is off (accounts/access.py).
    path(
        "api/schema/",
        SpectacularAPIView.as_view(permission_classes=[SignedInUnlessDebug]),
        name="api-schema",
    ),
    path(
        "api/docs/",
        login_required_unless_debug(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    path("api/v1/", include("config.api_urls")),
    path("settings/", include("accounts.urls")),
    path("orgs/", include((partnership_urls.org_urlpatterns, "orgs"))),
    path("partnerships/<uuid:partnership_id>/places/", include("places.urls")),
    path("partnerships/<uuid:partnership_id>/kpis/", include("kpis.urls")),
    path("partnerships/<uuid:partnership_id>/sti/", include("sti.urls")),
    path("partnerships/<uuid:partnership_id>/hub/", include("messaging.urls")),
    path("hub/", include((messaging_urls.global_urlpatterns, "hub"), namespace="hub")),
    path("partnerships/<uuid:partnership_id>/", include("reviews.urls")),
    path(
        "",
        include((reviews_urls.global_urlpatterns, "reviews_global"), namespace="reviews_global"),
    ),
    path("", include("partnership.urls")),
]

# JSON under /api/, the usual pages elsewhere (partnership/api_errors.py).
handler400 = "partnership.api_errors.handler400"
handler403 = "partnership.api_errors.handler403"
handler404 = "partnership.api_errors.handler404"
handler500 = "partnership.api_errors.handler500"
