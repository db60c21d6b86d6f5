"""The interactive API docs load from our own static files under the strict CSP."""

import pytest

from tests import factories as f


@pytest.mark.browser
def test_api_docs_render_without_cdn_or_csp_errors(browser_page, transactional_db):
    from allauth.account.models import EmailAddress

    user = f.UserFactory(email="docs@example.com")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    page = browser_page.page
    page.goto(browser_page.url("/accounts/login/"))
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", f.PASSWORD)
    page.locator("main form").filter(has=page.locator("input[name=password]")).locator(
        "[type=submit]"
    ).click()
    page.wait_for_url(browser_page.url("/"))
    page.wait_for_load_state("networkidle")  # let the dashboard's favicon finish first
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(browser_page.url("/api/docs/"))
    page.wait_for_selector(".swagger-ui .info .title")
    assert "Tandem API" in page.inner_text(".swagger-ui .info .title")
    page.wait_for_selector("text=/api/v1/partnerships/")
    assert all(url.startswith(browser_page.base_url) for url in requested), requested
    browser_page.assert_no_problems()
