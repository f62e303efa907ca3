"""Progress of long validations and exports, on a terminal only.

A validation of a million rows takes seconds; a person at a terminal wants to
see it move, a pipe or a log file does not want carriage returns. So the
reporter writes to standard error only when standard error is a terminal,
and stays silent otherwise.
"""

from __future__ import annotations

import sys

from typing import TextIO

import attrs


__all__ = ["Progress", "progress_for"]


@attrs.define(kw_only=True)
class Progress:
    """A one-line progress display: ``label  42%``, redrawn in place.

    Attributes:
        stream: where it writes (standard error).
        last: the last percentage drawn per label, so that a line is redrawn
            only when the figure changes.
    """

    stream: TextIO
    last: dict[str, int] = attrs.field(factory=dict)

    def __call__(self, label: str, done: int, total: int) -> None:
        """Show that ``done`` of ``total`` units of ``label`` are done."""
        percent = 100 if total <= 0 else min(100, done * 100 // total)
        if self.last.get(label) == percent:
            return
        self.last[label] = percent
        end = "\n" if percent == 100 else ""
        self.stream.write(f"\r{label:<40} {percent:>3d}%{end}")
        self.stream.flush()


def progress_for(stream: TextIO | None = None) -> Progress | None:
    """A progress display on ``stream`` (standard error) if it is a terminal, else ``None``."""
    target = sys.stderr if stream is None else stream
    isatty = getattr(target, "isatty", None)
    if isatty is None or not isatty():
        return None
    return Progress(stream=target)
