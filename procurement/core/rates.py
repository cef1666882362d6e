"""Rates such as "600 per minute": the API rate limit's setting, parsed once at start."""

from __future__ import annotations

import re
from dataclasses import dataclass

PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
RATE = re.compile(r"^\s*(\d+)\s*(?:/|per)\s*(second|minute|hour|day)s?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Rate:
    requests: int
    seconds: int
    text: str

    @classmethod
    def parse(cls, text: str) -> Rate:
        """``"600 per minute"`` or ``"600/minute"`` (second, minute, hour or day)."""
        match = RATE.match(str(text))
        if match is None or int(match.group(1)) < 1:
            raise ValueError(
                f"{text!r} is not a rate such as '600 per minute' or '10/second' (at least 1)"
            )
        return cls(int(match.group(1)), PERIODS[match.group(2).lower()], str(text).strip())
