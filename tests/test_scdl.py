"""SCDL subventions 2.1.1: the Haute-Garonne's grant as an official row, every missing
fact named, bad SIRETs refused, and files the official schema and its checks accept."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import subprocess
import sys
import tempfile

from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

import spie_occitanie as spie

from spie_occitanie.formats.scdl import (
    DEFAULT_FILE_NAME,
    SCHEMA_DIR,
    ScdlConfig,
    ScdlConfigError,
    ScdlMissingError,
    check_scdl_csv,
    scdl_allocations,
    scdl_fields,
    scdl_file_name,
    scdl_rows,
    write_scdl,
)
from spie_occitanie.model import Money, PartialDate
from spie_occitanie.publisher import publisher
from tests.conftest import FILE_EXAMPLES


FRICTIONLESS = Path(sys.executable).with_name("frictionless")
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "schemas" / "scdl-subventions"
DS = spie.load()


def luhn_complete(digits: str) -> str:
    """``digits`` with the Luhn check digit appended: a well-formed, fictional identifier."""
    total = 0
    for i, char in enumerate(reversed(digits + "0")):
        n = int(char) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return digits + str((10 - total % 10) % 10)


#: A fictional, well-formed SIRET for the State's signing service (tests only):
#: a Luhn-valid SIREN, then an establishment number completing a Luhn-valid SIRET.
STATE_SIRET = luhn_complete(luhn_complete("11000000") + "0001")
#: The Haute-Garonne's SIRET as the dataset's cited source (dora-back) gives it.
CD31_SIRET = "22310001700423"

TERMS = {
    "conditionsVersement": "échelonné",
    "datesPeriodeVersement": "2022-11-25/2023-12-31",
    "notificationUE": False,
}


def mapping(**changes: Any) -> dict[str, Any]:
    """A complete config for the Haute-Garonne's grant, with ``changes`` at the top level."""
    base: dict[str, Any] = {
        "allocations": ["cd-31-etat"],
        "organisations": {
            "etat": {"siret": STATE_SIRET, "name": "Service signataire (fictif)"},
            "cd-31": {"siret": CD31_SIRET},
        },
        "conventions": {"cd-31-etat": dict(TERMS)},
    }
    base.update(changes)
    return base


CONFIG = ScdlConfig.from_mapping(mapping())


# -- rows -----------------------------------------------------------------------------------------------


def test_rows_for_the_haute_garonne():
    """One row: the convention of 25 November 2022, 370 000.00 EUR, all of it to the Département."""
    [row] = scdl_rows(DS, CONFIG)
    assert dt.date(2022, 11, 25) == row["dateConvention"]
    assert Decimal("370000.00") == row["montant"]
    assert Decimal("1.00") == row["pourcentageSubvention"]
    assert "DEPARTEMENT DE LA HAUTE GARONNE" == row["nomBeneficiaire"]
    assert CD31_SIRET == row["idBeneficiaire"]
    assert "Service signataire (fictif)" == row["nomAttribuant"]
    assert "aide en numéraire" == row["nature"]
    assert "projet de la Haute-Garonne" in str(row["objet"])
    assert list(scdl_fields()) == list(row)


def test_the_funders_own_share_is_not_a_grant():
    """The Département's 93 000 EUR to its own project has no row, and asking for it is refused."""
    assert "cd-31-cd-31" not in [a.allocation_id for a in scdl_allocations(DS, ScdlConfig())]
    with pytest.raises(ScdlConfigError, match=r"'allocations'.*not a grant") as caught:
        scdl_rows(DS, ScdlConfig.from_mapping(mapping(allocations=["cd-31-cd-31"])))
    assert "allocations" == caught.value.key


def test_missing_config_names_every_field_of_every_allocation(tmp_path):
    """Without a config, every missing field of both grants is listed, and nothing is written."""
    with pytest.raises(ScdlMissingError) as caught:
        write_scdl(DS, tmp_path, ScdlConfig())
    expected = {
        ("cd-31-etat", "idAttribuant"),
        ("cd-31-etat", "idBeneficiaire"),
        ("cd-31-etat", "conditionsVersement"),
        ("cd-31-etat", "datesPeriodeVersement"),
        ("cd-31-etat", "notificationUE"),
        ("meuse-etat", "idAttribuant"),
        ("meuse-etat", "dateConvention"),
        ("meuse-etat", "nomBeneficiaire"),
        ("meuse-etat", "idBeneficiaire"),
        ("meuse-etat", "conditionsVersement"),
        ("meuse-etat", "datesPeriodeVersement"),
        ("meuse-etat", "notificationUE"),
    }
    assert expected == {(m.allocation_id, m.field) for m in caught.value.missing}
    message = str(caught.value)
    for allocation_id, field in expected:
        assert f"allocation {allocation_id!r} field '{field}'" in message
    assert "set organisations.etat.siret" in message
    assert "set conventions.cd-31-etat.notificationUE" in message
    assert [] == list(tmp_path.iterdir())


def test_the_meuse_is_exported_only_once_excluded():
    """Listing the allocations to export leaves out the Meuse's grant, whose beneficiary no source names."""
    assert ["cd-31-etat"] == [a.allocation_id for a in scdl_allocations(DS, CONFIG)]
    without_list = {k: v for k, v in mapping().items() if k != "allocations"}
    with pytest.raises(ScdlMissingError) as caught:
        scdl_rows(DS, ScdlConfig.from_mapping(without_list))
    assert {"meuse-etat"} == {m.allocation_id for m in caught.value.missing}


def replace_allocation(**changes: Any) -> spie.Dataset:
    allocations = tuple(
        attrs.evolve(a, **changes) if a.allocation_id == "cd-31-etat" else a for a in DS.allocations
    )
    return attrs.evolve(DS, allocations=allocations)


def test_a_convention_date_not_known_to_the_day_is_missing():
    """A convention known only to the month cannot be an SCDL dateConvention."""
    with pytest.raises(ScdlMissingError, match=r"only to the month \(2022-11\)") as caught:
        scdl_rows(replace_allocation(convention=PartialDate.from_edtf("2022-11")), CONFIG)
    assert [("cd-31-etat", "dateConvention")] == [(m.allocation_id, m.field) for m in caught.value.missing]


def test_an_amount_not_stated_to_the_euro_is_missing():
    """An amount stated to the nearest 100 000 EUR is not the convention's amount."""
    with pytest.raises(ScdlMissingError, match=r"nearest 100000\.00 EUR") as caught:
        scdl_rows(replace_allocation(amount=Money.of(400000, 100000)), CONFIG)
    assert ["montant"] == [m.field for m in caught.value.missing]


# -- the config ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "siret",
    [
        "22310001700424",  # bad checksum
        "2231000170042",  # 13 digits
        "223 100 017 00423",  # spaces
        22310001700423,  # a number, not text
    ],
)
def test_an_invalid_siret_is_refused_naming_its_key(siret):
    """A SIRET that is not 14 digits with a valid checksum is refused, naming the config key."""
    config = mapping()
    config["organisations"]["cd-31"]["siret"] = siret
    with pytest.raises(ScdlConfigError, match=r"'organisations\.cd-31\.siret'") as caught:
        ScdlConfig.from_mapping(config)
    assert "organisations.cd-31.siret" == caught.value.key


def test_a_siret_of_another_siren_is_refused():
    """The Haute-Garonne's SIRET must begin with the SIREN the dataset holds for it."""
    config = mapping()
    config["organisations"]["cd-31"]["siret"] = "22110001900019"  # the Aude's
    with pytest.raises(ScdlConfigError, match="223100017") as caught:
        scdl_rows(DS, ScdlConfig.from_mapping(config))
    assert "organisations.cd-31.siret" == caught.value.key


@pytest.mark.parametrize(
    ("key", "value", "named"),
    [
        ("conditionsVersement", "unique;échelonné", "conventions.cd-31-etat.conditionsVersement"),
        ("conditionsVersement", "x" * 257, "conventions.cd-31-etat.conditionsVersement"),
        ("datesPeriodeVersement", "2022-02-30", "conventions.cd-31-etat.datesPeriodeVersement"),
        ("datesPeriodeVersement", "2023-01-01/2022-01-01", "conventions.cd-31-etat.datesPeriodeVersement"),
        ("datesPeriodeVersement", "2022-11-25", "conventions.cd-31-etat.datesPeriodeVersement"),  # staged
        ("notificationUE", "peut-être", "conventions.cd-31-etat.notificationUE"),
        ("nature", "subvention", "conventions.cd-31-etat.nature"),
        ("idRAE", "123456", "conventions.cd-31-etat.idRAE"),
        ("montant", "370000", "conventions.cd-31-etat.montant"),  # the amount comes from the data
    ],
)
def test_bad_convention_terms_are_refused(key, value, named):
    """Terms that break the schema, or that the data owns, are refused naming their key."""
    config = mapping()
    config["conventions"]["cd-31-etat"][key] = value
    with pytest.raises(ScdlConfigError) as caught:
        ScdlConfig.from_mapping(config)
    assert named == caught.value.key


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"organisations": {"cd-99": {"siret": CD31_SIRET}}}, "organisations.cd-99"),
        ({"conventions": {"nowhere": dict(TERMS)}}, "conventions.nowhere"),
        ({"allocations": ["nowhere"]}, "allocations"),
    ],
)
def test_ids_the_dataset_lacks_are_refused(changes, named):
    """A config naming an organisation or allocation the dataset does not hold is refused."""
    with pytest.raises(ScdlConfigError) as caught:
        scdl_rows(DS, ScdlConfig.from_mapping(mapping(**changes)))
    assert named == caught.value.key


def test_from_toml_reads_the_documented_keys(tmp_path):
    """A TOML file with the documented keys gives the same config as the mapping."""
    path = tmp_path / "scdl.toml"
    path.write_text(
        f"""allocations = ["cd-31-etat"]

[organisations.etat]
siret = "{STATE_SIRET}"
name = "Service signataire (fictif)"

[organisations.cd-31]
siret = "{CD31_SIRET}"

[conventions.cd-31-etat]
conditionsVersement = "échelonné"
datesPeriodeVersement = "2022-11-25/2023-12-31"
notificationUE = "non"
""",
        encoding="utf-8",
    )
    assert attrs.evolve(CONFIG, source=str(path)) == ScdlConfig.from_toml(path)


@pytest.mark.parametrize("text", ["allocations = [", "unknown = 1\n"])
def test_from_toml_refuses_a_bad_file(tmp_path, text):
    """A file that is not TOML, or holds an unknown key, is refused naming the file."""
    path = tmp_path / "scdl.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScdlConfigError, match=r"scdl\.toml"):
        ScdlConfig.from_toml(path)


def test_file_name():
    """The guide's AAAAMMJJ_<SIREN>_<nom>.csv only with the publisher's SIREN, else the fixed name."""
    assert DEFAULT_FILE_NAME == scdl_file_name(CONFIG)
    siren = luhn_complete("12345678")
    named = scdl_file_name(ScdlConfig.from_mapping(mapping(publisher_siren=siren)))
    assert f"{publisher().released.replace('-', '')}_{siren}_spie-occitanie-subventions.csv" == named
    with pytest.raises(ScdlConfigError, match="publisher_siren"):
        ScdlConfig.from_mapping(mapping(publisher_siren="123456789"))


# -- the file ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_scdl(DS, tmp_path_factory.mktemp("scdl"), CONFIG)


def test_written_cells_follow_the_schema(written):
    """Amounts with two decimals and a point, ISO dates, oui/non, the schema's header."""
    with written.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(scdl_fields()) == list(rows[0])
    assert [("2022-11-25", "370000.00", "non", "1.00", "2022-11-25/2023-12-31")] == [
        (
            r["dateConvention"],
            r["montant"],
            r["notificationUE"],
            r["pourcentageSubvention"],
            r["datesPeriodeVersement"],
        )
        for r in rows
    ]
    assert b"\r" not in written.read_bytes()


def test_frictionless_validates_the_file_against_the_official_schema(written, tmp_path):
    """`frictionless validate --schema schema.json <file>` says valid, run beside the official schema."""
    shutil.copy(SCHEMA_DIR / "schema.json", tmp_path / "schema.json")
    shutil.copy(written, tmp_path / written.name)
    result = subprocess.run(
        [str(FRICTIONLESS), "validate", "--json", "--schema", "schema.json", written.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert json.loads(result.stdout)["valid"], result.stdout[:2000]
    assert 0 == result.returncode


def test_the_projects_checks_accept_the_written_file(written):
    """The written file passes the schema and its custom checks."""
    assert () == check_scdl_csv(written).findings


def test_the_official_valid_example_passes():
    """The official valid example passes the project's SCDL checks."""
    assert () == check_scdl_csv(SCHEMA_DIR / "exemple_valide.csv").findings


@pytest.mark.parametrize(
    "name", ["exemple_invalide_erreurs_cellules.csv", "exemple_invalide_erreurs_colonnes.csv"]
)
def test_the_official_invalid_examples_are_refused(name):
    """Both official invalid examples are refused: schema errors, SIRET and one-of-required checks."""
    report = check_scdl_csv(SCHEMA_DIR / name)
    assert not report.ok
    checks = {f.check for f in report.findings}
    assert {"constraint-error", "type-error", "siret-value", "one-of-required"} <= checks
    siret = next(f for f in report.findings if f.check == "siret-value")
    assert f"{name} row {siret.key} field '{siret.field}'" in siret.message


def test_the_custom_checks_find_what_validata_finds():
    """On the cell-errors example, 49 SIRET errors and 1 one-of-required, as Validata reports."""
    report = check_scdl_csv(SCHEMA_DIR / "exemple_invalide_erreurs_cellules.csv")
    assert 49 == len(report.by_check("siret-value"))
    assert 1 == len(report.by_check("one-of-required"))


def test_a_bad_siret_in_a_file_is_found(tmp_path, written):
    """A file whose SIRET has a wrong checksum fails the project's checks but not plain frictionless."""
    bad = tmp_path / "bad.csv"
    bad.write_text(
        written.read_text(encoding="utf-8").replace(CD31_SIRET, "22310001700424"), encoding="utf-8"
    )
    assert [("siret-value", "2", "idBeneficiaire")] == [
        (f.check, f.key, f.field) for f in check_scdl_csv(bad).findings
    ]


@settings(max_examples=FILE_EXAMPLES)
@given(
    terms=st.text(
        alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "Zs")), min_size=1, max_size=256
    ).filter(lambda t: t.strip() and ";" not in t and t != "échelonné"),
    notified=st.booleans(),
    day=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)),
)
def test_any_valid_config_writes_a_file_the_official_checks_accept(terms, notified, day):
    """Whatever terms the caller gives, within the schema's rules, the file passes and keeps them."""
    config = mapping()
    config["conventions"]["cd-31-etat"] = {
        "conditionsVersement": terms,
        "datesPeriodeVersement": day.isoformat(),
        "notificationUE": notified,
        "objet": terms,
    }
    with tempfile.TemporaryDirectory() as folder:
        path = write_scdl(DS, folder, ScdlConfig.from_mapping(config))
        assert () == check_scdl_csv(path).findings
        with path.open(encoding="utf-8", newline="") as handle:
            [row] = list(csv.DictReader(handle))
    assert (terms, day.isoformat(), "oui" if notified else "non", terms) == (
        row["conditionsVersement"],
        row["datesPeriodeVersement"],
        row["notificationUE"],
        row["objet"],
    )


# -- the vendored schema -----------------------------------------------------------------------------------


def test_vendored_copy_is_byte_identical_to_the_official_one():
    """schema.json, README.md and the three examples are the shared official copy, byte for byte."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is not present: nothing to compare with")
    for name in sorted(p.name for p in SHARED.iterdir() if p.is_file()):
        assert (SHARED / name).read_bytes() == (SCHEMA_DIR / name).read_bytes(), name


def test_vendored_copy_carries_its_licence():
    """The schema's upstream licence, The Unlicense, ships beside it."""
    licence = (SCHEMA_DIR / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("This is free and unencumbered software released into the public domain.")
    assert "The Unlicense" in (SCHEMA_DIR / "README.md").read_text(encoding="utf-8")
    schema = json.loads((SCHEMA_DIR / "schema.json").read_text(encoding="utf-8"))
    assert ("subventions", "2.1.1") == (schema["name"], schema["version"])
