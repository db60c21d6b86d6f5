"""Markdown for hub messages, rendered once when written and sanitised with an allow-list, so no
script, style, event handler or javascript: link survives into a page or an e-mail."""

import markdown as markdown_lib
import nh3

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


def plain(html: str) -> str:
    """The words of rendered HTML without markup: what search matches and snippets show."""
    import html as html_lib

    text = nh3.clean(html or "", tags=set(), strip_comments=True)
    return " ".join(html_lib.unescape(text).split())


def render(text: str) -> str:
    """Safe HTML for a Markdown text."""
    html = markdown_lib.markdown(
        text or "", extensions=["extra", "sane_lists", "nl2br"], output_format="html"
    )
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
