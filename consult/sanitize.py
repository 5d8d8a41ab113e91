"""The one place where text written by people becomes HTML.

Markdown source → HTML with markdown-it (raw HTML switched off) → bleach allow-list. Called once, at write
time; the result is stored next to the source and shown with `|safe`. Nothing else in the code base may
mark user text as safe.
"""

from __future__ import annotations

import re
from functools import lru_cache

import bleach
from bleach.html5lib_shim import Filter
from markdown_it import MarkdownIt

PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"

# Comments: paragraphs, emphasis, lists, quotes, links. No images, headings, tables or raw HTML.
COMMENT_TAGS = frozenset({"p", "br", "em", "strong", "ul", "ol", "li", "blockquote", "a", "code"})
# Documents written by agencies: also sub-headings, tables, rules and code, still no images or HTML.
DOCUMENT_TAGS = COMMENT_TAGS | {"h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "hr", "pre"}
ATTRIBUTES = {"a": ["href", "title", "rel"], "th": ["align"], "td": ["align"], "ol": ["start"]}


@lru_cache(maxsize=2)
def _markdown(profile: str) -> MarkdownIt:
    # linkify: bare URLs become links here, in the Markdown parser, which knows not to touch code.
    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False}).enable("linkify")
    if profile == "comment":
        md.disable(["image", "heading", "lheading", "code", "fence", "hr", "html_block", "html_inline"])
    else:
        md.enable("table")
        md.disable(["image", "html_block", "html_inline"])
    return md


class _LinkRel(Filter):
    """Every remaining link gets rel="nofollow ugc noopener": no SEO credit, no window.opener."""

    def __iter__(self):
        for token in super().__iter__():
            if token["type"] in ("StartTag", "EmptyTag") and token["name"] == "a":
                attrs = dict(token.get("data") or {})
                attrs[(None, "rel")] = LINK_REL
                token["data"] = attrs
            yield token


# What a browser reads as the scheme: ASCII whitespace and control characters are ignored inside it.
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.IGNORECASE)
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20\x7f-\xa0]+")


def _scheme(href: str) -> str:
    match = _SCHEME.match(_IGNORED_IN_SCHEME.sub("", href))
    return match.group(1).lower() if match else ""


class _AbsoluteLinksOnly(Filter):
    """Links in comments must name http, https or mailto: relative, scheme-less and odd hrefs are dropped.

    bleach keeps relative URLs, and Markdown percent-encodes what it cannot use, so `java&#10;script:x`
    would otherwise survive as the relative href `java%0Ascript:x`: harmless in a browser, but a citizen's
    comment has no business linking to paths of this site (or wherever the stored HTML is shown later).
    """

    def __iter__(self):
        for token in super().__iter__():
            if token["type"] in ("StartTag", "EmptyTag") and token["name"] == "a":
                attrs = dict(token.get("data") or {})
                href = attrs.get((None, "href"))
                if href is not None and _scheme(href) not in PROTOCOLS:
                    del attrs[(None, "href")]
                    token["data"] = attrs
            yield token


_CLEANERS: dict[tuple[frozenset[str], bool], bleach.Cleaner] = {}


def _clean(html: str, tags: frozenset[str], absolute_links: bool = False) -> str:
    cleaner = _CLEANERS.get((tags, absolute_links))
    if cleaner is None:
        filters = [_AbsoluteLinksOnly, _LinkRel] if absolute_links else [_LinkRel]
        cleaner = _CLEANERS[tags, absolute_links] = bleach.Cleaner(
            tags=tags, attributes=ATTRIBUTES, protocols=PROTOCOLS, strip=True, strip_comments=True, filters=filters
        )
    return cleaner.clean(html)


def render_comment(source: str) -> str:
    """HTML for a comment or reply written by a participant (links: absolute http, https or mailto only)."""
    return _clean(_markdown("comment").render(source or ""), COMMENT_TAGS, absolute_links=True).strip()


def render_document(source: str) -> str:
    """HTML for a section of a document written by an agency (shown as written, still sanitised)."""
    html = _markdown("document").render(source or "")
    # Sub-headings inside a section are demoted below the section's own heading level.
    for level in (2, 1):
        html = html.replace(f"<h{level}>", "<h3>").replace(f"</h{level}>", "</h3>")
    return _clean(html, DOCUMENT_TAGS).strip()


def plain_text(html_or_text: str, limit: int | None = None) -> str:
    """Text with every tag removed (for summaries, titles, e-mails)."""
    text = bleach.clean(html_or_text or "", tags=set(), strip=True)
    text = " ".join(text.split())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text
