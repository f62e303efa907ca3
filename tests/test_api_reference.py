"""The API reference (docs/api.md, built by mkdocs in CI) covers every public name of the package."""

from __future__ import annotations

import re

from pathlib import Path

import spie_occitanie as spie


PAGE = Path(__file__).resolve().parent.parent / "docs" / "api.md"


def documented() -> set[str]:
    return set(re.findall(r"^::: ([\w.]+)", PAGE.read_text(encoding="utf-8"), re.MULTILINE))


def test_every_public_name_is_in_the_reference():
    """Each name of spie_occitanie.__all__ is documented, by its module or by itself."""
    listed = documented()
    missing = []
    for name in spie.__all__:
        if name == "__version__":
            continue
        obj = getattr(spie, name)
        module = getattr(obj, "__module__", "spie_occitanie")
        qualified = f"{module}.{getattr(obj, '__qualname__', name)}"
        if module not in listed and qualified not in listed and name != "load":
            missing.append(qualified)
    assert [] == missing


def test_every_public_object_has_a_docstring():
    for name in spie.__all__:
        obj = getattr(spie, name)
        if callable(obj):
            assert (obj.__doc__ or "").strip(), name
