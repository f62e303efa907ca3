"""The package as a user meets it: a light import, a version, the command line."""

import json
import subprocess
import sys

import pytest

import spie_occitanie as spie

from spie_occitanie.cli import main
from tests.scripts import command_help


HEAVY = ("pandas", "pyarrow", "frictionless", "hypothesis", "matplotlib", "duckdb", "numpy")


def test_import_loads_no_heavy_library():
    """A fresh `import spie_occitanie`, even with load() and check(), imports no heavy library."""
    code = (
        "import sys, spie_occitanie as s; s.load().check(); "
        f"print(' '.join(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "" == result.stdout.strip()


def test_strategies_load_lazily():
    """`spie_occitanie.strategies` is reachable as an attribute, imported on first use."""
    assert hasattr(spie.strategies, "datasets")


def test_exporters_load_lazily():
    """The exporters are top-level names, and using them is what loads their libraries."""
    code = (
        "import sys, spie_occitanie as s\n"
        "assert 'pyarrow' not in sys.modules and 'frictionless' not in sys.modules\n"
        "frames = s.to_pandas(s.load())\n"
        "assert 'pandas' in sys.modules and len(frames['rounds']) == 3\n"
        "assert callable(s.write_datapackage) and callable(s.read_parquet)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    assert {"to_pandas", "write_parquet", "read_datapackage"} <= set(dir(spie))


@pytest.mark.parametrize("command", ["export", "validate", "summary"])
def test_help_on_every_command(command):
    """`--help` works on every command and exits 0."""
    result = command_help(command)
    assert 0 == result.returncode
    assert "--json" in result.stdout


def test_closed_pipe_is_not_an_error(monkeypatch, tmp_path):
    """When the reader of the output goes away (`| head`), the command exits 0 quietly."""
    from spie_occitanie import cli

    def closed(args):
        raise BrokenPipeError

    monkeypatch.setattr(cli, "_summary", closed)
    with (tmp_path / "out").open("w") as out:
        monkeypatch.setattr(sys, "stdout", out)
        assert 0 == main(["summary"])


def test_version_matches_metadata():
    """The static version is the one the package metadata carries."""
    from importlib.metadata import version

    assert spie.__version__ == version("spie-occitanie")


def test_unknown_attribute():
    """A missing name raises AttributeError, not an import of something else."""
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        _ = spie.nope


class TestSummary:
    def test_text(self, capsys):
        """`summary` prints rounds, Occitanie laureates, funding, conflicts and completeness."""
        assert 0 == main(["summary"])
        out = capsys.readouterr().out
        for expected in (
            "ami-2",
            "la Haute-Garonne (31), carried by DEPARTEMENT DE LA HAUTE GARONNE",
            "1 700 000 EUR (to the nearest 100 000)",
            "370 000 EUR (to the euro)",
            "rounds ami-2 launched: kept 2021-07-15",
            "31 of 34 known, 3 inferred, 3 unknown",
            "Checks: 0 error(s)",
        ):
            assert expected in out

    def test_json(self, capsys):
        """`summary --json` prints the same summary as JSON."""
        assert 0 == main(["summary", "--json"])
        summary = json.loads(capsys.readouterr().out)
        assert 8 == len(summary["region"]["laureates"])
        assert 0 == summary["check"]["errors"]

    @pytest.mark.parametrize("argv", [[], ["nope"], ["summary", "--nope"]])
    def test_usage_errors_exit_2(self, argv, capsys):
        """Usage errors exit with status 2 and a message, no traceback."""
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert 2 == info.value.code
        err = capsys.readouterr().err
        assert "error:" in err
        assert "Traceback" not in err

    def test_module_entry_point(self):
        """`python -m spie_occitanie --help` works and names the commands."""
        result = subprocess.run(
            [sys.executable, "-m", "spie_occitanie", "--help"], capture_output=True, text=True, check=True
        )
        assert "summary" in result.stdout
