"""Make the tutorial notebook from the tutorial page, so the two are one walk.

``docs/tutorial.md`` is the source: its prose becomes Markdown cells, and its
``python`` blocks of ``>>>`` examples code cells, without the expected output
and the doctest directives. A cell ends at each example that shows something,
so that the notebook shows every value the page does (as a table or a picture
where the page shows a ``repr``). Other blocks stay Markdown.
Run it after editing the page:

    python tools/tutorial_notebook.py

The notebook is then executed in a python3 kernel and written with its
outputs, so that a reader who opens it (on a forge, in a viewer) sees the
tables, maps and charts. ``tests/test_tutorial.py`` executes it again, and
fails when its cells are not what this script writes from the page.
"""

from __future__ import annotations

import doctest
import json
import re
import sys

from pathlib import Path
from typing import Any


ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "tutorial.md"
NOTEBOOK = ROOT / "docs" / "tutorial.ipynb"

_FENCE = re.compile(r"^```(?P<language>\w*)\n(?P<body>.*?)^```\n", re.MULTILINE | re.DOTALL)
_DIRECTIVE = re.compile(r"\s*# doctest:.*$", re.MULTILINE)


def _lines(text: str) -> list[str]:
    """A cell's source as Jupyter stores it: lines, each but the last ending in a newline."""
    return text.splitlines(keepends=True)


def _markdown(text: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "metadata": {}, "source": _lines(text.strip("\n"))}


def _code(text: str) -> dict[str, Any]:
    return {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {},
        "outputs": [],
        "source": _lines(text.rstrip("\n")),
    }


def cells(page: str) -> list[dict[str, Any]]:
    """The notebook's cells, in the page's order."""
    parser = doctest.DocTestParser()
    found: list[dict[str, Any]] = []
    prose = ""
    position = 0
    for fence in _FENCE.finditer(page):
        prose += page[position : fence.start()]
        position = fence.end()
        if fence["language"] != "python":
            prose += fence.group(0)
            continue
        if prose.strip():
            found.append(_markdown(prose))
        prose = ""
        source = ""
        for example in parser.get_examples(fence["body"]):
            source += _DIRECTIVE.sub("", example.source)
            if example.want:
                found.append(_code(source))
                source = ""
        if source:
            found.append(_code(source))
    prose += page[position:]
    if prose.strip():
        found.append(_markdown(prose))
    for number, cell in enumerate(found, start=1):
        cell["id"] = f"tutorial-{number:02d}"
    return found


def notebook(page: str) -> str:
    """The notebook's JSON text: nbformat 4.5, no outputs, keys sorted, as Jupyter writes it."""
    document = {
        "cells": cells(page),
        "metadata": {
            "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(document, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def executed(text: str) -> str:
    """The notebook run in a python3 kernel from the repository's root, with its outputs."""
    import nbformat

    from nbclient import NotebookClient

    document = nbformat.reads(text, as_version=4)  # type: ignore[no-untyped-call]
    client = NotebookClient(document, timeout=300, kernel_name="python3", record_timing=False)
    client.execute(cwd=str(ROOT))
    ran = json.loads(nbformat.writes(document))  # type: ignore[no-untyped-call]
    ran["metadata"] = json.loads(text)["metadata"]  # the kernel's own details vary by machine
    return json.dumps(ran, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def without_outputs(text: str) -> str:
    """The notebook's JSON text with its outputs and execution counts removed."""
    document = json.loads(text)
    for cell in document["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    return json.dumps(document, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def main() -> int:
    """Write the notebook beside the page, executed."""
    NOTEBOOK.write_text(executed(notebook(PAGE.read_text(encoding="utf-8"))), encoding="utf-8")
    sys.stdout.write(f"wrote {NOTEBOOK.relative_to(ROOT)}, executed\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
