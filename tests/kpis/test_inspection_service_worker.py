"""The inspection page's service worker is served from the root, as a script, never cached
stale, with the static prefix it serves cache-first."""

import pytest
from django.test import Client
from django.urls import reverse

from kpis.templatetags.inspection_offline import offline_texts


def test_service_worker_is_a_script_from_the_root_revalidated_each_time(settings):
    settings.STATIC_URL = "/static/"
    response = Client().get(reverse("inspection_service_worker"))
    assert reverse("inspection_service_worker") == "/inspection-sw.js"
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    assert body.startswith('const STATIC_URL = "/static/";\n')
    assert 'self.addEventListener("fetch"' in body
    # No cookie: the script is the same for everyone, and says nothing about anyone.
    assert not response.cookies


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_service_worker_answers_reads_only(method):
    assert getattr(Client(), method)("/inspection-sw.js").status_code == 405


def test_waiting_texts_carry_the_count_placeholder_in_both_plural_forms():
    texts = offline_texts()
    assert "%(count)s" in texts["waiting_one"] and "%(count)s" in texts["waiting_other"]
    assert texts["waiting_one"] != texts["waiting_other"]
