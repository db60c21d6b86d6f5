"""API v1: top-level and per-partnership routers."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

router = DefaultRouter()
partnership_router = DefaultRouter(trailing_slash=True)
partnership_router.include_root_view = False

urlpatterns = [
    path("", include(router.urls)),
    path("partnerships/<uuid:partnership_id>/", include(partnership_router.urls)),
]
