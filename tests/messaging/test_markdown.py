"""Hub Markdown is rendered once and sanitised: no script, style, event handler or dangerous
link survives, while ordinary Markdown does."""

import pytest

from messaging.markdown import render


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("Hallo <script>alert('x')</script> daar", ["<script", "alert("]),
        ("<style>body { display: none }</style>Tekst", ["<style", "display: none"]),
        ('<img src="x" onerror="alert(1)">', ["onerror", "alert(1)", "<img"]),
        ('<a href="https://ok.test" onclick="steal()">link</a>', ["onclick", "steal()"]),
        ('<p onmouseover="x()">tekst</p>', ["onmouseover"]),
        ("[klik](javascript:alert(1))", ["javascript:", "alert(1)"]),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', ["javascript:", "alert(1)"]),
        ("[plaatje](data:text/html;base64,PHNjcmlwdD4=)", ["data:", "base64"]),
        ('<iframe src="https://evil.test"></iframe>', ["<iframe", "evil.test"]),
        ('<span style="color:red">rood</span>', ["style=", "color:red"]),
    ],
)
def test_dangerous_markup_is_removed(text, gone):
    html = render(text)

    for fragment in gone:
        assert fragment.lower() not in html.lower(), html


def test_script_content_is_removed_with_the_tag():
    html = render("voor <script>document.cookie</script> na")

    assert "document.cookie" not in html
    assert "voor" in html and "na" in html


def test_ordinary_markdown_is_kept():
    html = render(
        "**vet** en *schuin*\n\n- een\n- twee\n\n1. eerste\n\n"
        "[Tandem](https://tandem.test/hub) en `code`\n\n```\nblok\n```\n\n> citaat"
    )

    assert "<strong>vet</strong>" in html and "<em>schuin</em>" in html
    assert "<ul>" in html and "<li>een</li>" in html and "<ol>" in html
    assert '<a href="https://tandem.test/hub" rel="noopener noreferrer nofollow">Tandem</a>' in html
    assert "<code>code</code>" in html and "<pre><code>blok" in html
    assert "<blockquote>" in html


def test_mailto_and_tel_links_are_kept():
    html = render("[mail](mailto:pl@cleancare.demo) [bel](tel:+31881234567)")

    assert 'href="mailto:pl@cleancare.demo"' in html
    assert 'href="tel:+31881234567"' in html


def test_plain_text_is_escaped_not_interpreted():
    assert render("1 < 2 <geen-tag>") == "<p>1 &lt; 2 </p>" or "&lt;" in render("1 < 2")
    assert "&lt;" in render("1 < 2")
    assert render("") == ""
