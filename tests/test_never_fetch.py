"""No input makes the library open a socket: URLs in a descriptor are never followed."""

from __future__ import annotations

import contextlib
import io
import json
import socket
import threading

from pathlib import Path

import pytest

import spie_occitanie as spie

from spie_occitanie.cli import main


@pytest.fixture
def listener():
    """A loopback listener that counts the connections it is offered."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    connections: list[object] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                continue
            connections.append(connection)
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], connections
    stop.set()
    thread.join()
    server.close()


def test_urls_in_a_descriptor_are_never_fetched(package_copy: Path, listener):
    port, connections = listener
    url = f"http://127.0.0.1:{port}/p.json"
    path = package_copy / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    descriptor["profile"] = url
    descriptor["$schema"] = url
    descriptor["resources"][0]["profile"] = url
    descriptor["resources"][0]["schema"]["$schema"] = url
    path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8")
    report = spie.validate_datapackage(package_copy)
    with contextlib.suppress(spie.SpieError):
        spie.read_datapackage(package_copy)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        status = main(["summary", str(package_copy)])
    assert (0 if report.ok else 1) == status
    assert [] == connections


def test_a_resource_path_that_is_a_url_is_refused_not_fetched(package_copy: Path, listener):
    port, connections = listener
    path = package_copy / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    descriptor["resources"][0]["path"] = f"http://127.0.0.1:{port}/sources.csv"
    path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8")
    report = spie.validate_datapackage(package_copy)
    assert "unsafe-path" in {f.check for f in report.errors}
    assert [] == connections
