"""Word files for the import tests, written with python-docx itself (the library the import reads them with): no
binary fixtures. `agency_draft()` is the draft the tests share: Indonesian heading styles, a table, lists, an
image and a heading deeper than the default split level."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt


def png(width: int = 4, height: int = 3) -> bytes:
    """A tiny red PNG, made here."""
    raw = b"".join(b"\x00" + b"\xdd\x22\x22" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def saved(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def indonesian_heading_styles(document, levels=(1, 2, 3)) -> None:
    """Styles named as Indonesian Word names its headings ("Judul 1" …), based on nothing, with no outline
    level: only their names say they are headings."""
    for level in levels:
        style = document.styles.add_style(f"Judul {level}", WD_STYLE_TYPE.PARAGRAPH)
        style.font.size, style.font.bold = Pt(18 - 2 * level), True


def add_image(document, description: str = "") -> None:
    document.add_picture(io.BytesIO(png()))
    if description:
        document.inline_shapes[-1]._inline.docPr.set("descr", description)


def agency_draft() -> bytes:
    document = docx.Document()
    indonesian_heading_styles(document)
    document.add_paragraph("Rancangan Standar Pelayanan Kartu Keluarga", style="Title")
    document.add_paragraph("Dinas Kependudukan mengundang warga menanggapi rancangan ini.")
    document.add_paragraph("Persyaratan", style="Judul 1")
    document.add_paragraph("Pemohon membawa dokumen berikut:")
    document.add_paragraph("KTP-el asli", style="List Bullet")
    document.add_paragraph("Kartu Keluarga lama", style="List Bullet")
    document.add_paragraph("dua lembar fotokopi", style="List Bullet 2")
    document.add_paragraph("Persyaratan khusus", style="Judul 2")
    document.add_paragraph("Untuk pemohon pindah datang.")
    document.add_paragraph("Catatan petugas", style="Judul 3")
    document.add_paragraph("Petugas memeriksa keaslian dokumen.")
    document.add_paragraph("Prosedur", style="Judul 1")
    document.add_paragraph("Isi formulir F-1.01", style="List Number")
    document.add_paragraph("Serahkan berkas di loket", style="List Number")
    document.add_paragraph("Biaya", style="Judul 1")
    table = document.add_table(rows=3, cols=2)
    for r, row in enumerate([("Layanan", "Biaya"), ("KK baru", "Rp0"), ("Salinan | cetak ulang", "Rp0")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph("Denah loket", style="Judul 1")
    add_image(document, "Denah ruang pelayanan lantai 1")
    document.add_paragraph("Loket 3 melayani Kartu Keluarga.")
    return saved(document)


def with_outline_level(text: str, level: int) -> bytes:
    """A paragraph in a style of its own whose only sign of being a heading is its outline level."""
    document = docx.Document()
    style = document.styles.add_style("Bab Peraturan", WD_STYLE_TYPE.PARAGRAPH)
    outline = OxmlElement("w:outlineLvl")
    outline.set(qn("w:val"), str(level - 1))
    style.element.get_or_add_pPr().append(outline)
    document.add_paragraph(text, style="Bab Peraturan")
    document.add_paragraph("Isi bab.")
    return saved(document)


def zip_of(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in files.items():
            package.writestr(name, data)
    return out.getvalue()
