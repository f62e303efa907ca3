"""The ``spie-occitanie`` command line.

Exit status: 0 done (warnings may be printed), 1 the input was read and is
invalid, 2 usage error or nothing could be read. Bad input never shows a
traceback.
"""

from __future__ import annotations

import argparse
import json
import sys

from collections.abc import Sequence

from spie_occitanie.errors import SpieError


__all__ = ["main"]

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors exit with the documented status 2 and no traceback."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="spie-occitanie",
        description="The Service public de l'insertion et de l'emploi (SPIE) as citable open data.",
    )
    from spie_occitanie import __version__

    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    summary = commands.add_parser(
        "summary",
        help="rounds, laureates, funding, conflicts and completeness of the embedded dataset",
        description="Summarise the embedded dataset: rounds, Occitanie laureates, funding with "
        "its precision, conflicts between sources, completeness of each list, and the checks.",
    )
    summary.add_argument("--json", action="store_true", help="print the summary as JSON")
    return parser


def _summary(args: argparse.Namespace) -> int:
    from spie_occitanie import load
    from spie_occitanie.summary import render, summarise

    summary = summarise(load())
    print(json.dumps(summary, ensure_ascii=False, indent=2) if args.json else render(summary))
    return EXIT_OK if summary["check"]["errors"] == 0 else EXIT_INVALID


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    handlers = {"summary": _summary}
    try:
        return handlers[args.command](args)
    except SpieError as error:
        print(f"spie-occitanie: {error}", file=sys.stderr)
        return EXIT_INVALID
