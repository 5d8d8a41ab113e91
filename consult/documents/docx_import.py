"""A Word draft (.docx) as the Markdown the document form takes. Plain computation: no Flask, no database.

Read with python-docx. Headings come from the paragraph style: Word's "Heading 1" … "Heading 9", their
Indonesian names "Judul 1" …, a style based on one of them, or a style or paragraph with an outline level; they
become `#` … `######`, so the form's split level applies to a Word file as to pasted Markdown. Bulleted and
numbered paragraphs (Word's numbering, by level) become Markdown lists, tables become Markdown tables (the first
row as their header; a cell's paragraphs joined by spaces), bold and italic runs `**` and `*`, links `[text](url)`.
Images become `![description](name)`: the sanitiser removes them and the preview reports each one, so the
person can describe it in words. Text boxes, footnotes, comments and tracked deletions are not read.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

import docx
from docx.opc.exceptions import OpcError
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.hyperlink import Hyperlink
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree

# A .docx of text alone is small: the largest policy the form takes (200,000 characters) is well under 1 MB.
# What makes Word files big is images, which are not kept; 10 MB lets a draft with photos through while keeping
# what one request holds in memory bounded (python-docx reads the whole package).
MAX_DOCX_BYTES = 10 * 1024 * 1024
# What the package may unpack to (its parts' declared sizes, which zipfile holds each part to): a zip bomb is
# refused before anything is decompressed.
MAX_UNPACKED_BYTES = 64 * 1024 * 1024

_HEADING_NAME = re.compile(r"^(?:heading|judul)\s*([1-9])$", re.IGNORECASE)
_TITLE_NAMES = frozenset({"title", "judul"})  # Word's "Title" is "Judul" in Indonesian Word ("Judul 1" is Heading 1)
_LIST_STYLE = re.compile(r"^list (?:bullet|number|continue)? ?([2-9])$", re.IGNORECASE)
_ESCAPE = re.compile(r"([\\`*_\[\]<>])")
_LINE_START = re.compile(r"^(\s*)([#+=-]|\d+[.)])(?=\s|$)")
_LINK_SCHEMES = ("http://", "https://", "mailto:")
_IMAGE = re.compile(r"!\[(?:\\.|[^\]\\])*\]\(gambar-\d+\)")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .doc (and .xls, .ppt)


class DocxError(ValueError):
    """The file cannot be read as a Word document; `reason` says why, for the person's message."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "too_large" | "old_word" | "not_docx"


@dataclass
class _Converter:
    document: object
    images: int = 0

    # --- headings and lists -----------------------------------------------------------------------------------

    def heading_level(self, paragraph: Paragraph) -> int:
        """1-9 for a heading, 0 for a title, -1 for body text."""
        style = paragraph.style
        outline = _outline_level(paragraph._p.pPr)
        seen = 0
        while style is not None and seen < 20:  # a style's base chain (bounded: a file may loop it)
            name = (style.name or "").strip()
            if match := _HEADING_NAME.match(name):
                return int(match.group(1))
            if name.lower() in _TITLE_NAMES:
                return 0
            if outline is None:
                outline = _outline_level(style.element.pPr)
            style, seen = style.base_style, seen + 1
        return outline if outline is not None else -1

    def list_item(self, paragraph: Paragraph) -> tuple[int, bool] | None:
        """(nesting level, ordered) for a paragraph Word numbers or bullets, else None."""
        num_pr = None
        for p_pr in (paragraph._p.pPr, *(s.element.pPr for s in _style_chain(paragraph.style))):
            if p_pr is not None and p_pr.numPr is not None:
                num_pr = p_pr.numPr
                break
        if num_pr is None or num_pr.numId is None or num_pr.numId.val == 0:  # numId 0: numbering switched off
            return None
        level = num_pr.ilvl.val if num_pr.ilvl is not None else 0
        ordered = self._number_format(num_pr.numId.val, level) != "bullet"
        if level == 0 and (match := _LIST_STYLE.match((paragraph.style.name or "") if paragraph.style else "")):
            level = int(match.group(1)) - 1  # "List Bullet 2": Word nests it by its own numbering, at level 0
        return min(level, 8), ordered

    def _number_format(self, num_id: int, level: int) -> str:
        try:
            numbering = self.document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return "bullet"
        abstract = numbering.xpath(f'./w:num[@w:numId="{int(num_id)}"]/w:abstractNumId/@w:val')
        if not abstract:
            return "bullet"
        fmt = numbering.xpath(
            f'./w:abstractNum[@w:abstractNumId="{int(abstract[0])}"]/w:lvl[@w:ilvl="{int(level)}"]/w:numFmt/@w:val'
        )
        return fmt[0] if fmt else "bullet"

    # --- text -------------------------------------------------------------------------------------------------

    def inline(self, paragraph: Paragraph, plain: bool = False) -> str:
        """The paragraph's text as Markdown (plain: without emphasis or links, for headings and cells' titles)."""
        pieces: list[str] = []
        for item in paragraph.iter_inner_content():
            if isinstance(item, Hyperlink):
                text = "".join(self.run(r, plain=True) for r in item.runs)
                url = item.url or ""
                if not plain and text.strip() and url.startswith(_LINK_SCHEMES):
                    pieces.append(f"[{text.strip()}](<{url.replace('>', '%3E').replace(' ', '%20')}>)")
                else:
                    pieces.append(text)
            elif isinstance(item, Run):
                pieces.append(self.run(item, plain))
        return "".join(pieces)

    def run(self, run: Run, plain: bool) -> str:
        out = [self.image(blip) for blip in run._r.xpath(".//w:drawing|.//w:pict")]
        text = _escape(run.text or "").replace("\t", " ").replace("\n", "\\\n")
        if text.strip() and not plain and (run.bold or run.italic):
            marker = ("**" if run.bold else "") + ("*" if run.italic else "")
            lead, core, trail = _split_space(text)
            text = f"{lead}{marker}{core}{marker[::-1]}{trail}"
        return "".join(out) + text

    def image(self, drawing) -> str:
        self.images += 1
        described = drawing.xpath(
            ".//wp:docPr/@descr|.//wp:docPr/@title|.//*[local-name()='imagedata']/@*[local-name()='title']"
        )
        name = drawing.xpath(".//wp:docPr/@name")
        alt = next((d for d in described if d.strip()), "") or (name[0] if name else "")
        alt = " ".join(_escape(alt).split())
        return f"![{alt}](gambar-{self.images})"

    # --- blocks -----------------------------------------------------------------------------------------------

    def table(self, table: Table) -> str:
        rows: list[list[str]] = []
        for row in table.rows:
            cells, previous = [], None
            for cell in row.cells:
                same = cell._tc is previous  # a merged cell is listed once per column it spans
                previous = cell._tc
                text = "" if same else " ".join(self.cell_text(cell).split())
                cells.append(text.replace("|", "\\|"))
            rows.append(cells)
        rows = [r for r in rows if r]
        if not rows:
            return ""
        width = max(len(r) for r in rows)
        rows = [r + [""] * (width - len(r)) for r in rows]
        lines = ["| " + " | ".join(rows[0]) + " |", "|" + " --- |" * width]
        lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
        return "\n".join(lines)

    def cell_text(self, cell) -> str:
        parts = []
        for item in cell.iter_inner_content():
            if isinstance(item, Paragraph):
                parts.append(self.inline(item).replace("\\\n", " "))
            else:
                parts.extend(self.cell_text(c) for row in item.rows for c in row.cells)
        return " ".join(p for p in parts if p.strip())

    def markdown(self) -> str:
        blocks: list[str] = []  # Markdown blocks, joined by blank lines
        items: list[str] = []  # the list being collected (its items are joined by single newlines)

        def end_list():
            if items:
                blocks.append("\n".join(items))
                items.clear()

        for item in self.document.iter_inner_content():
            if isinstance(item, Table):
                end_list()
                if text := self.table(item):
                    blocks.append(text)
                continue
            level = self.heading_level(item)
            if level >= 1:
                end_list()
                text = " ".join(self.inline(item, plain=True).replace("\\\n", " ").split())
                images = "".join(_IMAGE.findall(text))  # an image in a heading goes below it
                text = _IMAGE.sub("", text).strip()
                if text:
                    blocks.append("#" * min(level, 6) + " " + text)
                if images:
                    blocks.append(images)
                continue
            text = self.inline(item).strip()
            if not text:
                continue
            listed = self.list_item(item)
            if listed is not None:
                depth, ordered = listed
                items.append("    " * depth + ("1. " if ordered else "- ") + text)
                continue
            end_list()
            if level == 0:
                text = f"**{text}**"
            blocks.append(_LINE_START.sub(r"\1\\\2", text))
        end_list()
        return "\n\n".join(blocks) + ("\n" if blocks else "")


def _outline_level(p_pr) -> int | None:
    if p_pr is None:
        return None
    found = p_pr.find(qn("w:outlineLvl"))
    if found is None:
        return None
    try:
        value = int(found.get(qn("w:val")))
    except (TypeError, ValueError):
        return None
    return value + 1 if 0 <= value < 9 else None  # 9 is "body text"


def _style_chain(style):
    seen = 0
    while style is not None and seen < 20:
        yield style
        style, seen = style.base_style, seen + 1


def _escape(text: str) -> str:
    return _ESCAPE.sub(r"\\\1", text)


def _split_space(text: str) -> tuple[str, str, str]:
    core = text.strip()
    start = text.index(core[0])
    return text[:start], core, text[start + len(core) :]


def docx_to_markdown(data: bytes) -> str:
    """The Markdown of a .docx file's body. Raises DocxError when the file is too large to unpack, an old .doc,
    or no Word document."""
    if data[:4] == _OLE_MAGIC:
        raise DocxError("old_word")
    if len(data) > MAX_DOCX_BYTES:
        raise DocxError("too_large")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            if sum(info.file_size for info in package.infolist()) > MAX_UNPACKED_BYTES:
                raise DocxError("too_large")
        document = docx.Document(io.BytesIO(data))
        return _Converter(document).markdown()
    except DocxError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OpcError, KeyError, ValueError, etree.LxmlError, EOFError) as exc:
        raise DocxError("not_docx") from exc
