"""The ``spie-occitanie`` command line.

=====  ==============================================================
exit   when
=====  ==============================================================
0      done; the package is valid (warnings may be printed)
1      the input was read and is invalid: every finding is listed
2      usage error, or nothing could be read (no such path, not JSON)
=====  ==============================================================

``diff`` exits as ``diff(1)`` does: 0 no change, 1 changes, 2 trouble (a
release that cannot be read). Bad input never shows a traceback.

Every command takes ``--lang en`` (the default) or ``--lang fr`` for its
human-readable output; the sentences are :mod:`spie_occitanie.wording`'s
(:data:`LANG_HELP` says what is translated). ``--json`` is the same in both.
"""

from __future__ import annotations

import argparse
import contextlib
import contextvars
import json
import os
import sys

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from spie_occitanie.errors import SpieError, UsageError
from spie_occitanie.wording import ARGPARSE_FR, LANGUAGES, say


if TYPE_CHECKING:
    from spie_occitanie.checks import Report
    from spie_occitanie.dataset import Dataset


__all__ = ["LANG_HELP", "main"]

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
DEFAULT_OUT = "spie-occitanie-data"

#: What ``--lang`` changes, as ``--help`` says it.
LANG_HELP = (
    "language of the human-readable output: en (default) or fr. In French: verdicts, counts, "
    "headings, what was written and replaced, refusals, and for each finding the French description "
    "of its check with its location, field and value; each finding's own message is then given as an "
    "English detail. Usage errors are French too. Identifiers (check ids, tables, fields, paths), "
    "data values, --help, diff --format markdown and the requests of publish stay as they are; --json "
    "is the same in both languages."
)


def _add_lang(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", choices=LANGUAGES, default=LANGUAGES[0], help=LANG_HELP)


#: The language of the command being parsed, for its usage errors.
_LANG: contextvars.ContextVar[str] = contextvars.ContextVar("lang", default=LANGUAGES[0])


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors exit with the documented status 2 and no traceback, in --lang."""

    def error(self, message: str) -> None:  # type: ignore[override]
        lang = _LANG.get()
        usage = self.format_usage()
        if lang == "fr":
            usage = usage.replace("usage: ", "utilisation : ", 1)
        sys.stderr.write(usage)
        print(say("usage.error", lang, prog=self.prog, message=message), file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _asked_lang(argv: Sequence[str]) -> str:
    """The --lang of a command line, read before parsing it, so that its usage errors speak it."""
    for index, arg in enumerate(argv):
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
        if arg == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
    return LANGUAGES[0]


@contextlib.contextmanager
def _argparse_speaks(lang: str) -> Iterator[None]:
    """The error messages of argparse in ``lang`` while parsing (argparse asks gettext for each)."""
    token = _LANG.set(lang if lang in LANGUAGES else LANGUAGES[0])
    english = argparse._  # type: ignore[attr-defined]
    if _LANG.get() == "fr":
        argparse._ = lambda text: ARGPARSE_FR.get(text, text)  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._ = english  # type: ignore[attr-defined]
        _LANG.reset(token)


def _parser() -> argparse.ArgumentParser:
    from spie_occitanie import __version__
    from spie_occitanie.export import DEFAULT_FORMATS, FORMATS

    parser = _Parser(
        prog="spie-occitanie",
        description="The Service public de l'insertion et de l'emploi (SPIE) as citable open data.",
        epilog="Exit status: 0 done or valid, 1 invalid input (every finding listed), "
        "2 usage error or nothing could be read.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    export = commands.add_parser(
        "export",
        help="write the embedded dataset as open data",
        description="Write the embedded dataset into --out, replacing a previous export as one unit. "
        "A non-empty folder that is not a previous export is refused (exit 2).",
    )
    export.add_argument("--out", default=DEFAULT_OUT, help=f"output folder (default: ./{DEFAULT_OUT})")
    export.add_argument(
        "--format",
        default=",".join(DEFAULT_FORMATS),
        help=f"comma-separated formats among {', '.join(FORMATS)} (default: {','.join(DEFAULT_FORMATS)}); "
        "scdl needs --scdl-config, figures the plot extra",
    )
    export.add_argument(
        "--scdl-config",
        metavar="FILE",
        help="a TOML file with what the SCDL needs and the dataset lacks (SIRETs, payment terms); "
        "see spie_occitanie.formats.scdl",
    )
    export.add_argument(
        "--publisher",
        metavar="FILE",
        help="publisher settings (TOML); default: $SPIE_OCCITANIE_PUBLISHER, else ./spie-occitanie.toml, "
        "else the packaged defaults",
    )
    export.add_argument("--json", action="store_true", help="print what was written as JSON")
    _add_lang(export)

    publish = commands.add_parser(
        "publish",
        help="send an export to data.gouv.fr (dry run unless --apply)",
        description="Create or update the data.gouv.fr dataset of an export folder and upload the files "
        "whose bytes changed. Without --apply, print the requests and send nothing. The API key is read "
        "from DATAGOUV_API_KEY only.",
    )
    publish.add_argument("dir", help="an export folder holding datagouv.json")
    publish.add_argument("--apply", action="store_true", help="send the requests (default: dry run)")
    publish.add_argument(
        "--base-url",
        default=None,
        help="the portal (default: https://www.data.gouv.fr; https://demo.data.gouv.fr for trials)",
    )
    publish.add_argument(
        "--dataset", metavar="SLUG_OR_ID", help="the dataset to update (default: datagouv_dataset setting)"
    )
    publish.add_argument("--publisher", metavar="FILE", help="publisher settings (TOML), as for export")
    _add_lang(publish)

    validate = commands.add_parser(
        "validate",
        help="check a data package: files, schemas, keys, hashes, then the dataset's checks",
        description="Validate a data package (its datapackage.json or the folder holding it) and "
        "list every finding with its file, row, field and value.",
    )
    validate.add_argument("path", help="a datapackage.json or the folder holding it")
    validate.add_argument("--json", action="store_true", help="print the report as JSON")
    _add_lang(validate)

    summary = commands.add_parser(
        "summary",
        help="rounds, laureates, funding, conflicts and completeness",
        description="Summarise a dataset (the embedded one, or the data package at PATH): rounds, "
        "Occitanie laureates, funding with its precision, conflicts between sources, completeness.",
    )
    summary.add_argument(
        "path", nargs="?", help="a data package to summarise instead of the embedded dataset"
    )
    summary.add_argument("--json", action="store_true", help="print the summary as JSON")
    _add_lang(summary)

    rehash = commands.add_parser(
        "rehash",
        help="accept hand edits: rewrite the files' hashes and sizes after checking everything else",
        description="Validate a data package; when the only errors are files whose hash or size "
        "changed (hand edits), rewrite those in datapackage.json. Anything else wrong: nothing is "
        "written and every finding is listed (exit 1).",
    )
    rehash.add_argument("path", help="a datapackage.json or the folder holding it")
    rehash.add_argument("--json", action="store_true", help="print what was done as JSON")
    _add_lang(rehash)

    diff = commands.add_parser(
        "diff",
        help="what changed between two releases, by key, down to the citation",
        description="Compare two releases (each a data package folder, its datapackage.json, or a "
        "folder of Parquet files) table by table on their primary keys: schema changes, records "
        "added, removed and changed, sources added or withdrawn, conflicts and completeness. "
        "Exit status as diff's: 0 no change, 1 changes, 2 trouble.",
    )
    diff.add_argument("old", help="the earlier release")
    diff.add_argument("new", help="the later release")
    shape = diff.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true", help="print every change as JSON")
    shape.add_argument(
        "--format",
        choices=("text", "markdown", "json"),
        default="text",
        help="text (default), markdown (for CHANGELOG.md and data.gouv.fr, in English) or json",
    )
    _add_lang(diff)
    return parser


def _findings_json(report: Report) -> list[dict[str, Any]]:
    return [f.to_json() for f in report.findings]


def _export(args: argparse.Namespace) -> int:
    from spie_occitanie import load
    from spie_occitanie.export import ExportOptions, export
    from spie_occitanie.publisher import publisher, use_publisher_file

    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    options = ExportOptions()
    if args.scdl_config is not None:
        from spie_occitanie.formats.scdl import ScdlConfig

        options = ExportOptions(scdl_config=ScdlConfig.from_toml(args.scdl_config))
    with use_publisher_file(args.publisher) as settings:
        missing = publisher().missing_for_portals()
        done = export(load(), args.out, formats, options=options)
    if args.json:
        print(
            json.dumps(
                {
                    "out": str(done.out),
                    "formats": list(done.formats),
                    "files": [{"path": p, "bytes": n} for p, n in done.files],
                    "replaced": list(done.replaced),
                    "publisher_settings": None if settings.path is None else str(settings.path),
                    "not_configured": list(missing),
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return EXIT_OK
    lang = args.lang
    print(say("export.settings", lang, settings=settings.render(lang)))
    written = ", ".join(done.formats)
    print(
        say("export.wrote", lang, formats=written, out=done.out, files=len(done.files), size=done.total_bytes)
    )
    for path, size in done.files:
        print(say("export.file", lang, path=path, size=size))
    if done.replaced:
        shown = ", ".join(done.replaced[:5]) + (" ..." if len(done.replaced) > 5 else "")
        print(say("export.replaced", lang, count=len(done.replaced), shown=shown))
    if missing:
        print(say("export.not-configured", lang, missing=", ".join(missing)))
    return EXIT_OK


def _publish(args: argparse.Namespace) -> int:
    from spie_occitanie.publish import DEFAULT_BASE_URL, plan, publish
    from spie_occitanie.publisher import publisher, use_publisher_file

    with use_publisher_file(args.publisher) as settings:
        who = publisher()
    print(say("export.settings", args.lang, settings=settings.render(args.lang)))
    base_url = args.base_url or DEFAULT_BASE_URL
    dataset = args.dataset or who.datagouv_dataset
    if not args.apply:
        print(plan(args.dir, base_url=base_url, dataset=dataset).render(args.lang))
        return EXIT_OK
    outcome = publish(args.dir, base_url=base_url, dataset=dataset, organization=who.datagouv_organization)
    print(outcome.render(args.lang))
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    # The one validator, the same as validate_datapackage: it reads in Arrow
    # batches, so a national ledger of a million rows validates in seconds.
    from spie_occitanie.formats.datapackage import validate_datapackage
    from spie_occitanie.stream.progress import progress_for

    report = validate_datapackage(args.path, progress=progress_for())
    args.status = EXIT_OK if report.ok else EXIT_INVALID  # kept if the reader of the output goes away
    if args.json:
        document = {
            "valid": report.ok,
            "errors": len(report.errors),
            "warnings": len(report.warnings),
            "consequences": report.consequences,
            "findings": _findings_json(report),
        }
        print(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        print(say("validate.valid" if report.ok else "validate.invalid", args.lang, path=args.path))
        print(report.render(args.lang))
    return EXIT_OK if report.ok else EXIT_INVALID


def _dataset(path: str | None) -> Dataset:
    if path is None:
        from spie_occitanie import load

        return load()
    from spie_occitanie.formats.datapackage import read_datapackage

    return read_datapackage(path)


def _summary(args: argparse.Namespace) -> int:
    from spie_occitanie.summary import render, summarise

    summary = summarise(_dataset(args.path))
    args.status = EXIT_OK if summary["check"]["errors"] == 0 else EXIT_INVALID
    print(json.dumps(summary, ensure_ascii=False, indent=2) if args.json else render(summary, args.lang))
    return int(args.status)


def _rehash(args: argparse.Namespace) -> int:
    from spie_occitanie.rehash import rehash

    done = rehash(args.path)
    args.status = EXIT_OK if done.ok else EXIT_INVALID
    if args.json:
        document = {
            "valid": done.ok,
            "changed": list(done.changed),
            "refused": [f.to_json() for f in done.refused],
        }
        print(json.dumps(document, ensure_ascii=False, indent=2))
    elif not done.ok:
        print(say("rehash.refused", args.lang, descriptor=done.descriptor))
        for finding in done.refused:
            print(finding.render(args.lang))
    elif done.changed:
        print(say("rehash.done", args.lang, descriptor=done.descriptor, files=", ".join(done.changed)))
    else:
        print(say("rehash.nothing", args.lang, descriptor=done.descriptor))
    return int(args.status)


def _diff(args: argparse.Namespace) -> int:
    # Exit as diff(1) does: 0 no change, 1 changes; trouble (a DiffError, a UsageError) is 2.
    from spie_occitanie.diffing import diff

    try:
        changes = diff(args.old, args.new)
    except SpieError as error:  # any error here is trouble: status 1 means "changes"
        return _fail(args, error, EXIT_USAGE)
    shape = "json" if args.json else args.format
    args.status = EXIT_INVALID if changes.changed else EXIT_OK
    if shape == "json":
        from spie_occitanie.diffing.render import write_json

        write_json(changes, sys.stdout)
    elif shape == "markdown":
        print(changes.to_markdown(), end="")
    else:
        from spie_occitanie.diffing.render import to_text

        print(to_text(changes, args.lang))
    return EXIT_INVALID if changes.changed else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    given = sys.argv[1:] if argv is None else list(argv)
    with _argparse_speaks(_asked_lang(given)):
        args = _parser().parse_args(given)
    handlers = {
        "export": _export,
        "validate": _validate,
        "summary": _summary,
        "publish": _publish,
        "rehash": _rehash,
        "diff": _diff,
    }
    try:
        return handlers[args.command](args)
    except BrokenPipeError:
        # The reader of our output went away (`| head`): the work is done; stay quiet, and
        # keep the verdict, so that `validate BAD | head -1` still fails a pipefail pipeline.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return int(getattr(args, "status", EXIT_OK))
    except UsageError as error:
        return _fail(args, error, EXIT_USAGE)
    except SpieError as error:
        return _fail(args, error, EXIT_INVALID)
    except OSError as error:
        return _fail(args, f"{error.filename or ''}: {error.strerror or error}", EXIT_USAGE)


def _fail(args: argparse.Namespace, error: object, status: int) -> int:
    """Say what went wrong: on stderr, or as JSON on stdout when --json was asked for."""
    if getattr(args, "json", False):
        kind = type(error).__name__ if isinstance(error, BaseException) else "OSError"
        document: dict[str, Any] = {"error": {"type": kind, "message": str(error), "exit": status}}
        report = getattr(error, "report", None)
        if report is not None:
            document["findings"] = _findings_json(report)
        print(json.dumps(document, ensure_ascii=False, indent=2))
    elif isinstance(error, SpieError):
        print(f"{_prog(args)}{error.in_language(args.lang)}", file=sys.stderr)
    else:
        print(f"{_prog(args)}{error}", file=sys.stderr)
    return status


def _prog(args: argparse.Namespace) -> str:
    """The program's name before a message, with the space French puts before a colon."""
    return "spie-occitanie : " if args.lang == "fr" else "spie-occitanie: "
