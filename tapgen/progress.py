"""Progress lines: one line per long step on standard error, so a person watching knows what is
going on; quiet when standard error is not a terminal (logs, CI) unless TAP_PROGRESS=1 asks for
them (TAP_PROGRESS=0 silences them on a terminal too)."""

from __future__ import annotations

import os
import sys

PROGRESS_ENV = "TAP_PROGRESS"


def wanted() -> bool:
    asked = os.environ.get(PROGRESS_ENV, "")
    return asked == "1" if asked in ("0", "1") else sys.stderr.isatty()


def say(line: str) -> None:
    if wanted():
        print(line, file=sys.stderr, flush=True)
