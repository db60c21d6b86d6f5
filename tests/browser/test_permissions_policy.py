"""Chromium reads our Permissions-Policy as meant: every feature named is one it knows (an unknown
name is a console message on every page), and the powerful ones are off for the page."""

import pytest


@pytest.mark.browser
def test_chromium_knows_every_feature_and_switches_them_off(browser, live_server, db):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    complaints = []
    page.on("console", lambda m: "Permissions-Policy" in m.text and complaints.append(m.text))
    page.goto("/accounts/login/")
    assert complaints == []
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert page.evaluate(f"document.featurePolicy.allowsFeature('{feature}')") is False
    context.close()
