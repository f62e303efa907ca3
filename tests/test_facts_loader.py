"""The facts loader on bad input: one small file per failure mode, each with
the message it must produce (its first line, ``# expect: ...``), in the style
of OpenFisca's YAML test cases."""

import shutil

from pathlib import Path

import pytest

from spie_occitanie import FactsError
from spie_occitanie.facts import load_facts


CASES = sorted((Path(__file__).parent / "data" / "invalid-facts").glob("*.toml"))


def expected_message(case: Path) -> str:
    first = case.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{case.name} must start with '# expect: '"
    return first.removeprefix("# expect: ")


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_invalid_facts_file(case, tmp_path):
    """Each failure mode raises FactsError naming the file, the record and the field."""
    shutil.copy(case, tmp_path / case.name)
    with pytest.raises(FactsError) as info:
        load_facts(tmp_path)
    assert expected_message(case) in str(info.value)
    assert case.name == info.value.path


def test_there_are_cases():
    """The parametrised test above must not silently run on nothing."""
    assert len(CASES) >= 15


def test_valid_minimal_folder(tmp_path):
    """A folder with one well-formed file loads, its citations numbered per field."""
    (tmp_path / "rounds.toml").write_text(
        """
[[round]]
id = "ami-9"
programme_id = "spie"
kind = "ami"
number = 9
name = "neuvième AMI"
launched = "2021-21"

[[round.cite]]
field = "launched"
source = "te-list"
quote = "au printemps 2021"

[[round.cite]]
field = "launched"
source = "bdt-ami1"
quote = "en juin 2021"
value = "2021-06"
""",
        encoding="utf-8",
    )
    ds = load_facts(tmp_path)
    assert "2021-21" == ds.round("ami-9").launched.edtf  # type: ignore[union-attr]
    ids = [c.citation_id for c in ds.citations]
    assert ["rounds/ami-9/launched/1", "rounds/ami-9/launched/2"] == ids
