"""The one place where text written by people becomes HTML.

Markdown source → HTML with markdown-it (raw HTML switched off) → bleach allow-list. Called once, at write
time; the result is stored next to the source and shown with `|safe`. Nothing else in the code base may
mark user text as safe.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from html.parser import HTMLParser

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
        # Images and raw HTML are parsed, so that they can be taken out and reported (not shown as literal text).
        md = MarkdownIt("commonmark", {"html": True, "linkify": True, "typographer": False}).enable(
            ["linkify", "table"]
        )
        md.add_render_rule("html_block", _render_stripped_block)
        md.add_render_rule("html_inline", lambda *_args: "")
        md.add_render_rule("image", lambda *_args: "")
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


@dataclass(frozen=True)
class Removed:
    """Something a document's source held that its HTML does not: an image, or a piece of raw HTML.

    `kind` is "image" or "html"; `what` is how the writer would recognise it: the image as Markdown
    (`![alt](address)`), the HTML tag as `<name>` (`<!-- -->` for a comment, `<!…>` or `<?…>` for the rest).
    """

    kind: str
    what: str


def render_document(source: str) -> str:
    """HTML for a section of a document written by an agency (shown as written, still sanitised)."""
    return render_document_report(source)[0]


def render_document_report(source: str) -> tuple[str, list[Removed]]:
    """HTML for a section of a document, and what was removed from it (in the order met, repeats included).

    Images are removed whole (the writer is asked to describe them in words). Raw HTML tags are removed and the
    text between them is kept, except inside elements whose content is no text (script, style …), which goes
    with them. Code spans and code blocks keep HTML as the code it is.
    """
    md = _markdown("document")
    removed: list[Removed] = []
    tokens = md.parse(source or "")
    for token in tokens:
        if token.type == "html_block":
            text, tags = _strip_tags(token.content)
            token.content = text
            removed.extend(Removed("html", tag) for tag in tags)
        elif token.children:
            token.children = _without_images_and_html(token.children, removed)
    html = _EMPTY_PARAGRAPH.sub("", md.renderer.render(tokens, md.options, {}))  # one that held only an image
    # Sub-headings inside a section are demoted below the section's own heading level.
    for level in (2, 1):
        html = html.replace(f"<h{level}>", "<h3>").replace(f"</h{level}>", "</h3>")
    return _clean(html, DOCUMENT_TAGS).strip(), removed


# Elements whose content is no readable text: removed with what they hold.
_OPAQUE = frozenset({"script", "style", "template", "textarea", "title", "noscript", "iframe", "object", "svg", "math"})
# Elements that end a line of text (their text is kept on a line of its own) and those that separate words.
_BLOCK = frozenset({"p", "div", "br", "li", "tr", "table", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "hr"})
_CELL = frozenset({"td", "th"})
_TAG_NAME = re.compile(r"^<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9-]*)")
_SHOWN_URL = 80
_EMPTY_PARAGRAPH = re.compile(r"<p>\s*</p>\n?")


def _markup_name(html: str) -> tuple[str, bool, str]:
    """How to name one piece of raw HTML, whether it closes an element, and the element's name ('' if none)."""
    match = _TAG_NAME.match(html)
    if match:
        name = match.group(2).lower()
        return f"<{name}>", bool(match.group(1)), name
    if html.startswith("<!--"):
        return "<!-- -->", False, ""
    return ("<?…>" if html.startswith("<?") else "<!…>"), False, ""


def _without_images_and_html(children: list, removed: list[Removed]) -> list:
    kept, skip_until = [], None
    for child in children:
        if child.type == "html_inline":
            shown, closing, name = _markup_name(child.content)
            if skip_until is not None:
                if closing and name == skip_until:
                    skip_until = None
                continue
            if not closing:
                removed.append(Removed("html", shown))
                if name in _OPAQUE and not child.content.rstrip().endswith("/>"):
                    skip_until = name
            continue
        if skip_until is not None:
            continue
        if child.type == "image":
            src = child.attrGet("src") or ""
            if len(src) > _SHOWN_URL:
                src = src[: _SHOWN_URL - 1] + "…"
            removed.append(Removed("image", f"![{child.content}]({src})"))
            continue
        if child.children:
            child.children = _without_images_and_html(child.children, removed)
        kept.append(child)
    return kept


class _TextOfHtml(HTMLParser):
    """The text of a block of raw HTML and the names of its tags, as a browser's tokenizer would read them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.tags: list[str] = []
        self.opaque: str | None = None

    def handle_starttag(self, tag, attrs):
        if self.opaque is None:
            self.tags.append(f"<{tag}>")
            if tag in _OPAQUE:
                self.opaque = tag
            elif tag in _BLOCK:
                self.parts.append("\n\n")
            elif tag in _CELL:
                self.parts.append(" ")

    def handle_startendtag(self, tag, attrs):
        if self.opaque is None:
            self.tags.append(f"<{tag}>")
            self.parts.append("\n\n" if tag in _BLOCK else "")

    def handle_endtag(self, tag):
        if self.opaque == tag:
            self.opaque = None
        elif self.opaque is None and tag in _BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if self.opaque is None:
            self.parts.append(data)

    def handle_comment(self, data):
        if self.opaque is None:
            self.tags.append("<!-- -->")

    def handle_decl(self, decl):
        self.tags.append("<!…>")

    def unknown_decl(self, data):
        self.tags.append("<!…>")

    def handle_pi(self, data):
        self.tags.append("<?…>")


def _strip_tags(html: str) -> tuple[str, list[str]]:
    parser = _TextOfHtml()
    parser.feed(html)
    parser.close()
    if parser.opaque is None and parser.rawdata:  # an unfinished tag at the end: markup, not text
        parser.tags.append(_markup_name(parser.rawdata)[0])
    return "".join(parser.parts), parser.tags


def _render_stripped_block(_renderer, tokens, idx, _options, _env) -> str:
    """A block of raw HTML, its tags already taken out: its text, one paragraph per line of text."""
    lines = [" ".join(line.split()) for line in tokens[idx].content.split("\n")]
    return "".join(f"<p>{escape(line, quote=False)}</p>\n" for line in lines if line)


def plain_text(html_or_text: str, limit: int | None = None) -> str:
    """Text with every tag removed (for summaries, titles, e-mails)."""
    text = bleach.clean(html_or_text or "", tags=set(), strip=True)
    text = " ".join(text.split())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text
