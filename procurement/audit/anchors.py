"""Anchors: the chain heads written outside the database, one JSON line per anchoring.

``procurement audit anchor`` appends ``{"anchored_at": ..., "heads": [{"chain", "seq", "hash"},
...]}`` to a file (or prints it for a log); ``procurement audit verify --anchor FILE`` then fails
when the database no longer holds an anchored head with its hash: whoever can write to the
database cannot reach the file, so truncating or rewriting a chain after anchoring is caught,
even by someone who holds the audit key.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path


class AnchorFileError(ValueError):
    """The anchor file cannot be read; the message names the line."""


@dataclass(frozen=True)
class Anchor:
    """A chain head written outside the database by ``procurement audit anchor``."""

    chain: str
    seq: int
    hash: str
    anchored_at: str


def anchor_line(heads: Iterable[Anchor], at: datetime) -> str:
    """One JSON line: the time (from the clock) and every chain's head."""
    return json.dumps(
        {
            "anchored_at": at.isoformat(),
            "heads": [{"chain": h.chain, "seq": h.seq, "hash": h.hash} for h in heads],
        },
        sort_keys=True,
        separators=(",", ":"),
    )


def append_line(path: Path, line: str) -> None:
    """Append ``line`` and flush it to disk before saying it is anchored."""
    with path.open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def read_anchors(path: Path) -> list[Anchor]:
    """Every anchored head of every line of ``path`` (blank lines are skipped)."""
    anchors: list[Anchor] = []
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not text.strip():
            continue
        try:
            data = json.loads(text)
            at = str(data["anchored_at"])
            anchors.extend(
                Anchor(str(h["chain"]), int(h["seq"]), str(h["hash"]), at) for h in data["heads"]
            )
        except (ValueError, KeyError, TypeError) as error:
            raise AnchorFileError(f"{path}:{number}: not an anchor line ({error})") from None
    return anchors
