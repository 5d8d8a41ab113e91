"""Stop words for suggested themes: Indonesian (PySastrawi's list, trimmed), informal Indonesian, English.

PySastrawi ships the Tala stop-word list (809 words). Some of its words carry meaning in feedback on a public
service ("antrean *lama*", "kantor *jauh*", "petugas *kurang* ramah"), so KEEP takes them back out. INFORMAL
adds the short forms and particles of chat Indonesian that the formal list lacks, and CONSULTATION the words
that every comment on a consultation shares and that say nothing about its theme.
"""

from __future__ import annotations

import functools

from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory


def _words(text: str) -> list[str]:
    return text.split()


KEEP = frozenset(
    _words(
        """
    lama baru jauh dekat besar kecil kurang baik buruk hari jam bulan tahun minggu waktu cepat lambat mudah
    sulit susah panjang pendek tinggi rendah banyak sedikit awal akhir
    """
    )
)

INFORMAL = frozenset(
    _words(
        """
    yg dgn utk dg tdk tak gak ga gk nggak ngga enggak engga udah udh sdh blm belom aja saja sih dong deh kok
    lho loh nih tuh kan kalo klo kl krn karna jd jdi sm sama trs terus tp tapi bgt banget gimana gmn bagaimana
    nya pun lah kah tah ya iya yah wkwk hehe haha mohon tolong terima kasih trims thx pak bu bapak ibu mas mbak
    kak om tante min admin sy saya aku kami kita anda kalian dia mereka gue gw lu lo
    """
    )
)

CONSULTATION = frozenset(
    _words(
        """
    usul usulan saran komentar mohon pasal ayat bab bagian draf draft rancangan dokumen
    """
    )
)


@functools.cache
def stop_words() -> frozenset[str]:
    """Built on first use: scikit-learn's English list means importing scikit-learn (about 100 MB and a second),
    which a web worker that never suggests themes should not pay for."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    indonesian = set(StopWordRemoverFactory().get_stop_words()) - KEEP
    return frozenset(indonesian | INFORMAL | CONSULTATION | set(ENGLISH_STOP_WORDS))
