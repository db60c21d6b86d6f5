"""Django's model backend, with one refusal in front of it."""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied


class DemoPasswordGuardBackend(ModelBackend):
    """Django's ModelBackend that refuses the public demo password whenever DEBUG is off.

    `seed_demo` sets the demo password only with DEBUG on, but a database seeded by a
    development run can end up behind a production process (a copied SQLite file, a restored
    dump, a compose stack switched to DEBUG=0). Every password sign-in (allauth's login and
    re-authentication, the Django admin) goes through `django.contrib.auth.authenticate`, which
    stops at the first backend that raises PermissionDenied; this backend comes first, so the
    demo password gets no further, whatever seeded the database. The attempt counts as a
    failed login, as any wrong password does.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not settings.DEBUG and password is not None and password == settings.DEMO_PASSWORD:
            raise PermissionDenied
        return super().authenticate(request, username=username, password=password, **kwargs)
