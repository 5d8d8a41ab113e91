"""What a Polis export is once read: its comments and votes, and the error that names the file and line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


class PolisExportError(ValueError):
    """A folder that is not a Polis export, or a malformed row; ``file`` and ``line`` say where."""

    def __init__(self, message: str, file: str | None = None, line: int | None = None):
        where = file if line is None else f"{file} line {line}"
        super().__init__(f"{where}: {message}" if where else message)
        self.file = file
        self.line = line


@dataclass(frozen=True)
class PolisComment:
    comment_id: int
    author_id: int | None
    text: str | None  # None when the export has no comments.csv
    moderated: int  # 1 accepted, 0 unmoderated, -1 moderated out
    created_ms: int | None  # epoch milliseconds


@dataclass
class PolisExport:
    folder: Path
    topic: str | None
    url: str | None
    summary: dict[str, str]
    comments: list[PolisComment]
    # One vote per (participant, comment), the latest, ordered by time (file order for participants-votes.csv).
    participant_ids: np.ndarray  # int64 Polis participant (voter) ids
    comment_ids: np.ndarray  # int64 Polis comment ids
    values: np.ndarray  # int8: 1 agree, -1 disagree, 0 pass
    timestamps: np.ndarray | None  # int64 epoch milliseconds, None when read from participants-votes.csv
    votes_source: str  # "votes.csv" | "participants-votes.csv"
    published_groups: dict[int, int] = field(default_factory=dict)  # participant -> Polis group-id
    # the time of each pair's first vote (equal to `timestamps` unless the vote was changed); None without times
    first_timestamps: np.ndarray | None = None

    @property
    def moderated_out(self) -> list[int]:
        return [c.comment_id for c in self.comments if c.moderated == -1]

    @property
    def vote_count(self) -> int:
        return int(self.values.size)

    @property
    def attribution(self) -> str:
        """The CC BY 4.0 attribution text that Polis asks for, with the source URL when the export has one."""
        text = (
            "Data was gathered using the Polis software (compdemocracy.org/polis) and is sub-licensed under "
            "CC BY 4.0 with Attribution to The Computational Democracy Project."
        )
        return f"{text} Source: {self.url}" if self.url else text
