"""Documentation examples run: the README, the docs pages and the docstrings."""

import doctest
import importlib
import pkgutil

from pathlib import Path

import pytest

import spie_occitanie


ROOT = Path(__file__).parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FLAGS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_page_examples(page):
    """Every `>>>` example of a documentation page gives the output it shows."""
    result = doctest.testfile(str(page), module_relative=False, optionflags=FLAGS, encoding="utf-8")
    assert 0 == result.failed


def test_pages_with_examples():
    """The README and the index do hold examples, so the test above tests something."""
    for name in ("README.md", "index.md", "concepts.md"):
        page = next(p for p in PAGES if p.name == name)
        assert ">>> " in page.read_text(encoding="utf-8")


MODULES = [
    m.name
    for m in pkgutil.walk_packages(spie_occitanie.__path__, "spie_occitanie.")
    if m.name != "spie_occitanie.__main__"
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    """Examples in docstrings run."""
    result = doctest.testmod(importlib.import_module(name), optionflags=FLAGS)
    assert 0 == result.failed
