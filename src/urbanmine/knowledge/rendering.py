"""Markdown written by members, rendered and then sanitised: only the tags and attributes a
text needs survive (no scripts, no inline styles, no event handlers), links get
`rel="noopener noreferrer nofollow"`."""

from __future__ import annotations

import markdown as md
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "code", "pre", "blockquote",
    "ul", "ol", "li", "h2", "h3", "h4", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}, "td": set()}


def render_markdown(text: str) -> SafeString:
    """Markdown → HTML without anything a browser would run. Headings start at h2 (the page
    owns its one h1)."""
    if not text:
        return mark_safe("")
    html = md.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 (sanitised by nh3 just above)


def plain_text(text: str) -> str:
    """Markdown as plain text (for the PDF guide and search snippets)."""
    html = md.markdown(text or "", extensions=["tables", "sane_lists"])
    return nh3.clean(html, tags=set()).strip()
