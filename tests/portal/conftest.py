"""Fixtures of the contract tests: an export, and udata serving it in-process.

These tests need the ``portal`` extra (udata, mongomock, datagouv-client),
which cannot share an environment with the ``test`` extra (see
``tests/portal/udata_app.py``): ``.ci/run`` runs them in a second virtual
environment. Without udata every module here is skipped.
"""

from __future__ import annotations

import os
import threading

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.portal.udata_app import udata_app


if os.environ.get("SPIE_PORTAL_TESTS") == "required":
    # .ci/run: these tests must run, not be skipped for a missing extra.
    import importlib

    for required in ("udata", "datagouv", "mongomock"):
        importlib.import_module(required)


FILES_URL = "https://donnees.example.org/spie-occitanie/0.1.0"


def publisher_toml(folder: Path, **fields: str) -> Path:
    """A settings file: the packaged one plus ``fields``."""
    from importlib import resources

    text = resources.files("spie_occitanie").joinpath("publisher.toml").read_text(encoding="utf-8")
    extra = "".join(f'{key} = "{value}"\n' for key, value in fields.items())
    head, sep, tail = text.partition("[[contributors]]")
    path = folder / "spie-occitanie.toml"
    path.write_text(head + extra + "\n" + sep + tail, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def export_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default export (data package, Parquet, datagouv.json) with a public files address configured."""
    import spie_occitanie as spie

    from spie_occitanie.export import export
    from spie_occitanie.publisher import use_publisher_file

    base = tmp_path_factory.mktemp("export")
    settings = publisher_toml(base, files_url=FILES_URL)
    with use_publisher_file(settings):
        export(spie.load(), base / "out", ["datapackage", "parquet", "datagouv", "dcat"])
    return base / "out"


@pytest.fixture
def udata(tmp_path: Path) -> Iterator[tuple[Any, str]]:
    """udata's app with Parquet allowed (a portal that accepts it), and a user's API key."""
    from udata import settings

    allowed = [*settings.Defaults.ALLOWED_RESOURCES_EXTENSIONS, "parquet"]
    with udata_app(tmp_path, allowed_extensions=allowed) as found:
        yield found


@pytest.fixture
def served(udata: tuple[Any, str]) -> Iterator[tuple[str, Any, str]]:
    """The same app served over HTTP on 127.0.0.1 (a free port): (base url, app, key)."""
    from werkzeug.serving import make_server

    app, key = udata
    server = make_server("127.0.0.1", 0, app, threaded=False)
    app.config["SERVER_NAME"] = f"127.0.0.1:{server.port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}", app, key
    finally:
        server.shutdown()
        thread.join()
