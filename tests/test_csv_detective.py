"""data.gouv.fr's column detector (csv-detective, pinned in the test extra) reads our CSVs right."""

from __future__ import annotations

from typing import Any

import pytest

import spie_occitanie as spie

from spie_occitanie.formats.datapackage import write_datapackage


csv_detective = pytest.importorskip("csv_detective")

# csv-detective's own use of pandas raises deprecation warnings that are not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore")


@pytest.fixture(scope="module")
def detected(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("detective")
    write_datapackage(spie.load(), folder)
    results = {}
    for name in ("territories", "organisations", "coverage", "selections", "allocations", "rounds"):
        results[name] = csv_detective.routine(
            file_path=str(folder / "data" / f"{name}.csv"), num_rows=-1, save_results=False
        )
    return results


def formats(result: dict[str, Any]) -> dict[str, str]:
    return {name: column["format"] for name, column in result["columns"].items()}


def test_encoding_separator_and_header(detected):
    """Every file reads as UTF-8, comma-separated, with our header."""
    for name, result in detected.items():
        assert "utf-8" == result["encoding"].lower(), name
        assert "," == result["separator"], name
        assert result["header"][0].endswith("_id"), name


def test_geographic_codes(detected):
    """code_departement and code_region are recognised, so the portal links them to its maps."""
    assert "code_departement" == formats(detected["territories"])["code_departement"]
    assert "code_region" == formats(detected["territories"])["code_region"]
    assert "code_departement" == formats(detected["coverage"])["code_departement"]
    assert "code_region" == formats(detected["selections"])["code_region"]


def test_siren(detected):
    """The SIRENs of the conseils départementaux are recognised as SIREN."""
    assert "siren" == formats(detected["organisations"])["siren"]


def test_dates_and_numbers(detected):
    """Interval bounds read as dates; amounts as numbers."""
    allocations = formats(detected["allocations"])
    assert "date" == allocations["convention_earliest"]
    assert allocations["amount_eur"] in {"float", "int"}
    assert "date" == formats(detected["rounds"])["launched_latest"]
