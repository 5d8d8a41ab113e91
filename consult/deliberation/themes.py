"""Suggested themes for a closed round's comments, computed offline (no hosted language model).

How: every comment is cut into words, stop words (consult.deliberation.stopwords) are dropped, the rest are
stemmed with PySastrawi (Indonesian: "persyaratannya" → "syarat"), and the comments become TF-IDF vectors over
the stems. Non-negative matrix factorisation (scikit-learn's NMF) finds a few topics; each comment joins the
topic it loads most on. A theme's label is made of surface words, not stems: for each of the topic's top
stems the word form that commenters wrote most often ("syarat" is shown as "persyaratan" when that is what
people wrote).

Weights: the caller may collapse a campaign's copies into one comment with the number of copies as its
weight. NMF minimises a squared error, so each row of the TF-IDF matrix is scaled by the square root of its
weight: a comment of weight 4 then counts as much in the fit as four copies would. The score of a theme is
the share of the total weight its comments carry.

Deterministic: the input is sorted by comment id first, NMF starts from an SVD (init="nndsvda") and ties are
broken by id or alphabetically, so the same comments give the same themes in any order.
These are suggestions for the moderators who build the deliberation summary, never a published result.
"""

from __future__ import annotations

import math
import re
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

import numpy as np
from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

from consult.deliberation.stopwords import stop_words

CommentRow = tuple[int, str, str | None, float]

MIN_FOR_TOPICS = 4  # fewer usable comments than this make one theme: there is nothing to separate
MAX_THEMES = 8
MIN_WORD = 3
KEYWORD_SHARE = 0.1

_URL = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\S+", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_stemmer = None
_stems: dict[str, str] = {}


def _stem(word: str) -> str:
    global _stemmer
    stem = _stems.get(word)
    if stem is None:
        if _stemmer is None:
            _stemmer = StemmerFactory().create_stemmer()
        stem = _stemmer.stem(word) or word
        if len(_stems) < 200_000:  # a bounded memo: stemming is the slow part (about 25 µs a new word)
            _stems[word] = stem
    return stem


def tokenize(text: str) -> list[tuple[str, str]]:
    """The (surface word, stem) pairs of a text that count for themes: lower case, no stop words or URLs."""
    pairs = []
    stops = stop_words()
    for word in _WORD.findall(_URL.sub(" ", text.lower())):
        if len(word) < MIN_WORD or word in stops:
            continue
        stem = _stem(word)
        if len(stem) < MIN_WORD or stem in stops:
            continue
        pairs.append((word, stem))
    return pairs


def theme_count(n_comments: int) -> int:
    """How many topics to look for: about sqrt(n), at least 2, at most MAX_THEMES, and at most n/2 (so that
    a topic can hold two comments)."""
    return max(1, min(MAX_THEMES, max(2, round(math.sqrt(n_comments))), n_comments // 2))


def suggest_themes(
    comments: Iterable[CommentRow],
    *,
    max_themes: int | None = None,
    keywords: int = 5,
    label_words: int = 3,
    seed: int = 0,
) -> list[dict[str, Any]]:
    """Suggested themes for comments given as (comment_id, text, section_key or None, weight).

    Returns [{"label", "keywords", "comment_ids", "section_keys", "score"}], the largest theme first. A comment
    without a single usable word (only stop words, a link, an emoji), or whose words are all too rare to be
    kept, is in no theme; the caller counts it as untagged. Weights must be finite and not negative; a weight
    of 0 leaves the comment out. Raises ValueError for a bad weight or a repeated comment id.
    """
    rows = _checked(comments)
    total_weight = sum(weight for _, _, _, weight in rows)
    docs, kept = [], []
    surfaces: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        pairs = tokenize(row[1])
        if not pairs:
            continue
        for surface, stem in pairs:
            surfaces[stem][surface] += 1
        docs.append([stem for _, stem in pairs])
        kept.append(row)
    if not kept:
        return []
    wanted = theme_count(len(kept)) if max_themes is None else max(1, min(max_themes, len(kept)))
    few = len(kept) < MIN_FOR_TOPICS or wanted == 1
    groups = _one_group(docs, kept) if few else _topics(docs, kept, wanted, seed)
    labels = {stem: _surface(counter) for stem, counter in surfaces.items()}
    themes = []
    for stems, members in groups:
        words = list(dict.fromkeys(labels[s] for s in stems))[:keywords]
        weight = sum(row[3] for row in members)
        themes.append(
            {
                "label": ", ".join(words[:label_words]),
                "keywords": words,
                "comment_ids": sorted(row[0] for row in members),
                "section_keys": sorted({row[2] for row in members if row[2] is not None}),
                "score": round(weight / total_weight, 4),
            }
        )
    themes.sort(key=lambda t: (-t["score"], t["comment_ids"][0]))
    return themes


def _checked(comments: Iterable[CommentRow]) -> list[CommentRow]:
    rows: list[CommentRow] = []
    seen: set[int] = set()
    for comment_id, text, section_key, weight in comments:
        weight = float(weight)
        if not math.isfinite(weight) or weight < 0:
            raise ValueError(f"comment {comment_id}: weight must be a finite number >= 0, not {weight!r}")
        if comment_id in seen:
            raise ValueError(f"comment {comment_id} is given twice")
        seen.add(comment_id)
        if weight > 0:
            rows.append((comment_id, text or "", section_key, weight))
    rows.sort(key=lambda row: row[0])
    return rows


def _surface(counter: Counter[str]) -> str:
    """The word form written most often; ties go to the shorter, then the alphabetically first."""
    return min(counter.items(), key=lambda item: (-item[1], len(item[0]), item[0]))[0]


def _one_group(docs: list[list[str]], kept: list[CommentRow]) -> list[tuple[list[str], list[CommentRow]]]:
    weights: Counter[str] = Counter()
    for stems, row in zip(docs, kept, strict=True):
        for stem, n in Counter(stems).items():
            weights[stem] += n * row[3]
    ranked = sorted(weights.items(), key=lambda item: (-item[1], item[0]))
    return [([stem for stem, _ in ranked], kept)]


def _vectorize(docs: list[list[str]]):
    from sklearn.feature_extraction.text import TfidfVectorizer  # on first use: see stopwords.stop_words()

    n = len(docs)
    for min_df in (2 if n >= 10 else 1, 1):
        vectorizer = TfidfVectorizer(
            analyzer=lambda doc: doc,
            min_df=min_df,
            max_df=0.9 if n >= 20 else 1.0,
            sublinear_tf=True,
            max_features=5000,
        )
        try:
            return vectorizer, vectorizer.fit_transform(docs)
        except ValueError:  # every term pruned (tiny or very varied input): try again keeping rare terms
            continue
    vectorizer = TfidfVectorizer(analyzer=lambda doc: doc, sublinear_tf=True)
    return vectorizer, vectorizer.fit_transform(docs)


def _topics(
    docs: list[list[str]], kept: list[CommentRow], wanted: int, seed: int
) -> list[tuple[list[str], list[CommentRow]]]:
    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning

    vectorizer, matrix = _vectorize(docs)
    vocabulary = vectorizer.get_feature_names_out()
    k = min(wanted, matrix.shape[1])
    if k < 2:
        return _one_group(docs, kept)
    scale = np.sqrt(np.array([row[3] for row in kept], dtype=float))
    matrix = matrix.multiply(scale[:, None]).tocsr()
    model = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=500)
    with warnings.catch_warnings():
        # a topic model that stops at max_iter is still a usable suggestion; the test suite turns warnings into
        # errors, so the warning is silenced here rather than failing a moderator's page
        warnings.simplefilter("ignore", ConvergenceWarning)
        loads = model.fit_transform(matrix)
    members: dict[int, list[CommentRow]] = defaultdict(list)
    for row, load in zip(kept, loads, strict=True):
        if load.max() > 0:
            members[int(np.argmax(load))].append(row)
    groups = []
    for topic in sorted(members):
        weights = model.components_[topic]
        # a topic's keywords: its stems that weigh at least a tenth of its heaviest (the rest is noise)
        strong = np.flatnonzero(weights >= KEYWORD_SHARE * weights.max()) if weights.max() > 0 else []
        order = sorted(strong, key=lambda i: (-weights[i], vocabulary[i]))
        groups.append(([str(vocabulary[i]) for i in order[:20]], members[topic]))
    return groups
