"""Indonesian-looking comment texts and names for synthetic participation (benchmarks only)."""

from __future__ import annotations

import random

from consult.sanitize import render_comment

_OPENERS = (
    "Saya setuju dengan usulan ini.",
    "Menurut saya bagian ini masih kurang jelas.",
    "Terima kasih atas kesempatan memberi masukan.",
    "Saya kurang setuju dengan ketentuan ini.",
    "Sebagai warga yang sering mengurus dokumen, saya punya pengalaman berbeda.",
    "Usulan ini sudah baik, tetapi perlu diperjelas.",
    "Mohon dipertimbangkan kembali.",
    "Bagian ini penting bagi warga di desa.",
)
_MIDDLES = (
    "Waktu penyelesaian **tiga hari kerja** terlalu lama untuk layanan yang sederhana.",
    "Persyaratan fotokopi KTP sebaiknya dihapus karena data sudah ada di sistem.",
    "Loket sering tutup sebelum jam pelayanan berakhir.",
    "Biaya harus ditulis dengan jelas: *gratis* atau tidak.",
    "Warga lansia dan penyandang disabilitas perlu jalur khusus.",
    "Pengaduan lewat WhatsApp sering tidak dibalas.",
    "Informasi di situs web https://contoh.go.id/layanan belum diperbarui.",
    "Petugas perlu pelatihan agar pelayanan lebih ramah.",
    "Antrean daring sangat membantu, tetapi kuotanya cepat habis.",
    "Sebaiknya ada batas waktu yang pasti untuk setiap tahap.",
)
_LISTS = (
    "Usul saya:\n\n- tambah loket di kecamatan\n- buka layanan hari Sabtu\n- umumkan jadwal di papan",
    "Yang perlu diperbaiki:\n\n1. alur pengaduan\n2. waktu tunggu\n3. kejelasan biaya",
)
_CLOSERS = (
    "Semoga masukan ini bermanfaat.",
    "Mohon tanggapannya.",
    "Terima kasih.",
    "Saya berharap ada perbaikan tahun ini.",
    "",
)
FIRST_NAMES = ("Agus", "Budi", "Citra", "Dewi", "Eka", "Fitri", "Gita", "Hadi", "Indah", "Joko", "Kartika", "Lestari")
LAST_NAMES = ("Santoso", "Wijaya", "Saputra", "Lubis", "Siregar", "Nasution", "Hidayat", "Pratama", "Kusuma", "Rahman")


def comment_bodies(rng: random.Random, n: int = 48) -> list[tuple[str, str]]:
    """A few dozen Indonesian-looking comment bodies, each rendered once through the sanitiser."""
    bodies = []
    for i in range(n):
        parts = [rng.choice(_OPENERS), " ".join(rng.sample(_MIDDLES, rng.randint(1, 3)))]
        if i % 6 == 0:
            parts.append(rng.choice(_LISTS))
        closer = rng.choice(_CLOSERS)
        if closer:
            parts.append(closer)
        body = "\n\n".join(parts)
        bodies.append((body, render_comment(body)))
    return bodies
