"""The tutorial cannot rot: every block of docs/tutorial.md runs, and docs/tutorial.ipynb, the same
walk made from the page, executes in a Jupyter kernel without an error and shows tables and pictures."""

from __future__ import annotations

import doctest
import importlib.util
import re
import shlex
import subprocess
import sys

from pathlib import Path
from typing import Any

import pytest

from tests.scripts import load_script


ROOT = Path(__file__).parents[1]
PAGE = ROOT / "docs" / "tutorial.md"
NOTEBOOK = ROOT / "docs" / "tutorial.ipynb"
FENCE = re.compile(r"^```(?P<language>\w*)\n(?P<body>.*?)^```\n", re.MULTILINE | re.DOTALL)
BLOCKS = [(m["language"], m["body"]) for m in FENCE.finditer(PAGE.read_text(encoding="utf-8"))]
HAS_NBCLIENT = all(importlib.util.find_spec(m) is not None for m in ("nbclient", "nbformat", "ipykernel"))


def _generator() -> Any:
    return load_script("tools/tutorial_notebook.py", "tutorial_notebook")


def test_every_block_is_run_by_a_test():
    """Each block is python with `>>>` examples (doctest runs them) or spie-occitanie commands (run below)."""
    assert {"python", "sh"} == {language for language, _ in BLOCKS}
    for language, body in BLOCKS:
        if language == "python":
            assert body.startswith(">>> "), body
        else:
            assert all(line.startswith("spie-occitanie ") for line in body.splitlines()), body


def test_the_examples_give_what_the_page_shows():
    """Every `>>>` example of the tutorial gives the output the page shows, top to bottom."""
    flags = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    result = doctest.testfile(str(PAGE), module_relative=False, optionflags=flags, encoding="utf-8")
    assert 0 == result.failed
    assert result.attempted >= 40


def test_the_commands_run(tmp_path):
    """The page's command lines run and exit 0, in a scratch folder."""
    commands = [line for language, body in BLOCKS if language == "sh" for line in body.splitlines()]
    assert commands
    for command in commands:
        args = shlex.split(command)[1:]
        result = subprocess.run(
            [sys.executable, "-m", "spie_occitanie", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )
        assert 0 == result.returncode, f"{command}: {result.stderr}"
    assert (tmp_path / "spie-data" / "datapackage.json").is_file()


def test_the_notebook_is_made_from_the_page():
    """docs/tutorial.ipynb is what tools/tutorial_notebook.py makes from the page: the same walk."""
    generator = _generator()
    expected = generator.notebook(PAGE.read_text(encoding="utf-8"))
    committed = NOTEBOOK.read_text(encoding="utf-8")
    assert expected == generator.without_outputs(committed), "run: python tools/tutorial_notebook.py"


def test_the_committed_notebook_shows_its_outputs():
    """A reader who opens the notebook without running it sees every value the page shows."""
    import json

    code = [c for c in json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
    shown = [c for c in code if c["outputs"]]
    assert len(shown) >= len(code) - 5
    assert any("image/png" in o.get("data", {}) for c in code for o in c["outputs"])
    assert not [o for c in code for o in c["outputs"] if o.get("output_type") == "error"]


def test_a_cell_per_shown_value():
    """The notebook has a code cell for each value the page shows, so a reader sees each one."""
    cells = _generator().cells(PAGE.read_text(encoding="utf-8"))
    code = [c for c in cells if c["cell_type"] == "code"]
    parser = doctest.DocTestParser()
    shown = sum(
        1 for language, body in BLOCKS if language == "python" for e in parser.get_examples(body) if e.want
    )
    assert shown <= len(code)
    assert all("doctest:" not in "".join(c["source"]) for c in code)
    assert all(c["outputs"] == [] for c in code)


@pytest.mark.skipif(
    not HAS_NBCLIENT, reason="nbclient, nbformat and ipykernel (the test extra) are not installed"
)
def test_the_notebook_runs(tmp_path):
    """In a python3 kernel no cell errs; dataset, round, report, conflicts show as HTML, figures as PNG."""
    import nbformat

    from nbclient import NotebookClient

    notebook = nbformat.read(NOTEBOOK, as_version=4)  # type: ignore[no-untyped-call]
    nbformat.validate(notebook)
    NotebookClient(
        notebook, kernel_name="python3", timeout=180, resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    errors = [o for cell in code for o in cell.outputs if o.output_type == "error"]
    assert [] == errors
    assert all(cell.execution_count for cell in code)

    def data(source: str) -> dict[str, Any]:
        (cell,) = [c for c in code if c.source.splitlines()[-1] == source]
        (result,) = [o for o in cell.outputs if o.output_type == "execute_result"]
        return dict(result.data)

    assert "Records per table" in data("ds")["text/html"]
    assert "deuxième appel à manifestation d&#x27;intérêt" in data("ami2")["text/html"]
    assert "hover a source for its quote" in data("conflicts")["text/html"]
    assert "source-conflict" in data("ds.check()")["text/html"]
    assert "image/png" in data("fig")
    assert "image/png" in data("timeline")
    assert (
        "('datapackage', 'parquet')"
        == data('export(ds, out / "spie-data", ["datapackage", "parquet"]).formats')["text/plain"]
    )
    printed = "".join(o.text for cell in code for o in cell.outputs if o.output_type == "stream")
    assert "ami-2 (national): 31 of 34 known, 3 by inference, 3 unknown" in printed
    assert [] == list(tmp_path.iterdir()), "the notebook left files in its folder"
