"""``--lang fr``: every command's human-readable output in French, English by default, JSON the same.

French output is checked for French words and for the absence of the English
frame words (verdicts, counts, headings, severities); the English message of
each finding, which a French report gives as a detail, is left out of that
check, as the documentation says.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys

from pathlib import Path

import pytest

from spie_occitanie import checks, cli, wording
from spie_occitanie.cli import main
from tests.scripts import command_help


ROOT = Path(__file__).resolve().parent.parent
RELEASES = Path(__file__).parent / "data" / "releases"
COMMANDS = ("export", "validate", "summary", "publish", "rehash", "diff")
DETAIL = re.compile(r"^\s*détail \(en anglais\) : .*$", re.MULTILINE)


def run(capsys: pytest.CaptureFixture[str], args: list[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    status = main(args)
    printed = capsys.readouterr()
    return status, printed.out, printed.err


def frame_of(text: str) -> str:
    """The French output without the findings' English details."""
    return DETAIL.sub("", text)


def assert_french(text: str, french: list[str], english: list[str]) -> None:
    frame = frame_of(text)
    for word in french:
        assert word in frame, f"{word!r} not in:\n{frame}"
    for word in english:
        assert not re.search(word, frame, re.MULTILINE), f"{word!r} in:\n{frame}"


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("lang") / "out"
    assert 0 == main(["export", "--out", str(folder)])
    return folder


@pytest.fixture
def edited(package: Path, tmp_path: Path) -> Path:
    """A copy of the package with one amount changed by hand: its hash no longer matches."""
    copy = Path(shutil.copytree(package, tmp_path / "edited"))
    csv = copy / "data" / "allocations.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace("370000.00", "370001.00"), encoding="utf-8")
    return copy


#: The English words of the validation report's frame.
REPORT_EN = [r"error\(s\)", r"warning\(s\)", r"consequence", r"^error ", r"^warning ", "every check passed"]


def test_every_command_takes_lang():
    """Each subcommand's --help offers --lang {en,fr} and says what is translated."""
    for command in COMMANDS:
        result = command_help(command)
        assert 0 == result.returncode
        assert "--lang {en,fr}" in result.stdout, command
        assert "stay as they are" in " ".join(result.stdout.split()), command


def test_validate_in_french(package, edited, capsys):
    """The verdict, the counts, the severities and each check's description are French."""
    status, out, _ = run(capsys, ["validate", str(package), "--lang", "fr"])
    assert 0 == status
    assert_french(
        out, [": valide", "0 erreur(s), 10 avertissement(s)", "avertissement ", "champ « "], REPORT_EN
    )
    assert "des sources se contredisent sur un champ" in out
    status, out, _ = run(capsys, ["validate", str(edited), "--lang", "fr"])
    assert 1 == status
    assert_french(
        out,
        [": NON VALIDE", "1 erreur(s)", "erreur        hash-count", "fichier data/allocations.csv"],
        [*REPORT_EN, "INVALID"],
    )
    assert "l'empreinte du fichier n'est pas celle que déclare le descripteur" in out
    assert "spie-occitanie rehash" in out  # the way forward, in French and in the detail


def test_validate_in_english_by_default(package, edited, capsys):
    """Without --lang, and with --lang en, the report is the English one."""
    default = run(capsys, ["validate", str(edited)])
    assert default == run(capsys, ["validate", str(edited), "--lang", "en"])
    status, out, _ = default
    assert 1 == status
    assert f"{edited}: INVALID\n1 error(s), 10 warning(s)\nerror   hash-count " in out
    assert "erreur" not in out
    assert "avertissement" not in out


def test_export_in_french(package, tmp_path, capsys):
    """What export wrote and what it replaced, and the settings used, in French."""
    out = tmp_path / "out"
    assert 0 == main(["export", "--out", str(out), "--format", "datapackage,parquet"])
    status, text, _ = run(capsys, ["export", "--out", str(out), "--format", "datapackage", "--lang", "fr"])
    assert 0 == status
    assert_french(
        text,
        [
            "Réglages de l'éditeur",
            "Formats écrits (datapackage)",
            "octets",
            "L'export précédent est remplacé",
        ],
        ["Publisher settings", "Wrote", "bytes", "Replaced", "Not configured", "packaged defaults"],
    )
    status, text, _ = run(capsys, ["export", "--out", str(out), "--format", "datapackage"])
    assert "Publisher settings: the packaged defaults" in text
    assert "Wrote datapackage to " in text


def test_export_refusals_in_french(package, tmp_path, capsys):
    """A symlinked --out, an option no chosen format uses: exit 2, said in French."""
    link = tmp_path / "link"
    link.symlink_to(package)
    status, _, err = run(capsys, ["export", "--out", str(link), "--lang", "fr"])
    assert 2 == status
    assert f"spie-occitanie : {link} : est un lien symbolique" in err
    assert "symbolic link" not in err
    status, _, err = run(capsys, ["export", "--out", str(link)])
    assert f"spie-occitanie: {link}: is a symbolic link" in err
    config = tmp_path / "scdl.toml"
    config.write_text("", encoding="utf-8")
    args = ["export", "--out", str(tmp_path / "x"), "--scdl-config", str(config), "--lang", "fr"]
    status, _, err = run(capsys, args)
    assert 2 == status
    assert "--scdl-config ne sert qu'au format scdl" in err
    assert "is used only" not in err


def test_usage_errors_in_french(capsys):
    """An unknown option or a missing argument: exit 2, said in French when --lang fr is given."""
    with pytest.raises(SystemExit) as stopped:
        main(["validate", "--lang", "fr", "--bogus", "x"])
    assert 2 == stopped.value.code
    err = capsys.readouterr().err
    assert err.startswith("utilisation : spie-occitanie ")
    assert "spie-occitanie : erreur : arguments non reconnus : --bogus" in err
    assert "error" not in err
    assert "usage:" not in err
    with pytest.raises(SystemExit):
        main(["rehash", "--lang=fr"])
    assert "arguments obligatoires manquants : path" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["rehash"])
    assert (
        "spie-occitanie rehash: error: the following arguments are required: path" in capsys.readouterr().err
    )
    with pytest.raises(SystemExit):
        main(["rehash", "--help", "--lang", "fr"])
    assert "usage: spie-occitanie rehash" in capsys.readouterr().out  # --help stays English


def test_a_missing_extra_in_french(tmp_path):
    """Without matplotlib, the figures ask for the plot extra in French, exit 2."""
    code = (
        "import sys; sys.modules['matplotlib'] = None\n"
        "from spie_occitanie.cli import main\n"
        f"raise SystemExit(main(['export', '--out', {str(tmp_path / 'out')!r}, '--format', 'figures',"
        " '--lang', 'fr']))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert 2 == result.returncode, result.stderr
    assert "il faut installer l'extra « plot » : pip install 'spie-occitanie[plot]'" in result.stderr
    assert "needs the" not in result.stderr


def test_summary_in_french(capsys):
    """The summary's headings and counts in French."""
    status, out, _ = run(capsys, ["summary", "--lang", "fr"])
    assert 0 == status
    assert_french(
        out,
        ["Vagues", "Lauréats : Occitanie (8)", "Financements", "Complétude", "Contrôles : 0 erreur(s)"],
        ["Rounds", "Laureates", "Funding", "Completeness", "Checks:", r"error\(s\)", "carried by"],
    )


def test_rehash_in_french(edited, capsys):
    """What rehash rewrote, and that a second run finds nothing to do, in French."""
    status, out, _ = run(capsys, ["rehash", str(edited), "--lang", "fr"])
    assert 0 == status
    assert "empreinte et taille réécrites pour data/allocations.csv" in out
    assert "rewrote" not in out
    status, out, _ = run(capsys, ["rehash", str(edited), "--lang", "fr"])
    assert "chaque empreinte et chaque taille correspondent déjà à leur fichier" in out
    status, out, _ = run(capsys, ["rehash", str(edited)])
    assert "every hash and size already matches its file" in out


def test_rehash_refusal_in_french(edited, capsys):
    """A package wrong in another way is not rehashed; the refusal and its findings are French."""
    (edited / "data" / "tallies.csv").write_text("not,the,header\n", encoding="utf-8")
    status, out, _ = run(capsys, ["rehash", str(edited), "--lang", "fr"])
    assert 1 == status
    assert_french(
        out, ["empreintes non réécrites", "rien n'a été écrit", "erreur "], [*REPORT_EN, "not rehashed"]
    )


def test_diff_in_french(capsys):
    """The diff's headings, counts and sentences in French; ids, values and quotes as they are."""
    status, out, _ = run(capsys, ["diff", str(RELEASES / "0.1.0"), str(RELEASES / "0.2.0"), "--lang", "fr"])
    assert 1 == status
    assert_french(
        out,
        [
            "ancienne : ",
            "2 enregistrements ajouté(s)",
            "lignes",
            "désaccords entre sources :",
            "sur 34 connus",
        ],
        ["old: ", "records", " rows", "conflicts:", "completeness:", " known", "sources now disagree"],
    )
    english = run(capsys, ["diff", str(RELEASES / "0.1.0"), str(RELEASES / "0.2.0")])[1]
    assert "2 records added, 1 changed; 2 citations added" in english
    assert "ami-2 (national): 31 of 34 known (3 by inference) → 32 of 34 known (3 by inference)" in english


def test_publish_dry_run_in_french(package, capsys, monkeypatch):
    """The dry run's frame in French; the requests are the API's and stay as they are."""
    monkeypatch.delenv("DATAGOUV_API_KEY", raising=False)
    status, out, _ = run(capsys, ["publish", str(package), "--lang", "fr"])
    assert 0 == status
    frame = "\n".join(line for line in out.splitlines() if not line.startswith(" "))
    assert_french(
        frame,
        [
            "Requêtes à envoyer à https://www.data.gouv.fr (simulation, ",
            "Fichiers à téléverser",
            "Rien n'a été envoyé",
        ],
        ["Would send", "Files to upload", "Nothing was sent", "Publisher settings"],
    )


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "{package}"],
        ["validate", "{edited}"],
        ["summary"],
        ["rehash", "{edited}"],
        ["diff", str(RELEASES / "0.1.0"), str(RELEASES / "0.2.0")],
        ["export", "--out", "{package}/../again"],
        ["export", "--out", "{package}"],  # refused, as JSON
    ],
)
def test_json_is_the_same_in_both_languages(args, package, edited, capsys):
    """--json prints the same document, byte for byte, whatever --lang says."""
    filled = [a.format(package=package, edited=edited) for a in args]
    twin = shutil.copytree(edited, edited.with_name("twin"))  # rehash changes the package it is given
    again = [str(twin) if a == str(edited) else a for a in filled]
    if filled[0] == "export" and filled[-1] == str(package):
        (package / "stray.txt").write_text("not ours", encoding="utf-8")
    try:
        english = run(capsys, [*filled, "--json"])
        french = run(capsys, [*again, "--json", "--lang", "fr"])
    finally:
        (package / "stray.txt").unlink(missing_ok=True)
    assert english == french
    json.loads(english[1])


def emitted_checks() -> set[str]:
    """The check ids the package's code gives its findings, read from the source."""
    found: set[str] = set()
    for path in (ROOT / "src" / "spie_occitanie").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None) or ""
            values = []
            if name.endswith("_finding") and name not in {"uncited_finding", "value_uncited_finding"}:
                values = node.args[:1]
            values += [kw.value for kw in node.keywords if kw.arg == "check"]
            found |= {v.value for v in values if isinstance(v, ast.Constant) and isinstance(v.value, str)}
        # ids chosen in a variable or a tuple before the finding is made
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r'check = "([a-z-]+)"', text))
        found |= set(re.findall(r'\("([a-z]+(?:-[a-z]+)+)", (?:column\.name|None|field)', text))
    return found


def test_every_check_has_one_description_in_both_languages():
    """Each check id the code emits has its English and French description in wording, and only there."""
    emitted = emitted_checks()
    assert {"hash-count", "type-error", "duplicate-selection", "blank-row", "constraint-error"} <= emitted
    assert {"uncited-finding"}.isdisjoint(emitted)
    missing = sorted(emitted - set(wording.FINDING_KINDS))
    assert [] == missing
    for check, phrase in wording.FINDING_KINDS.items():
        assert phrase.en, check
        assert phrase.fr, check
        assert phrase.en != phrase.fr, check
        assert phrase.en not in (checks.__doc__ or ""), check  # not copied into the checks' docstring


def test_the_command_line_keeps_no_english_sentence_of_its_own():
    """The command line's printed sentences come from the vocabulary: no print of an English literal."""
    tree = ast.parse(Path(cli.__file__).read_text(encoding="utf-8"))
    printed = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print" and node.args
    ]
    assert printed
    for call in printed:
        argument = call.args[0]
        literals = [
            n.value for n in ast.walk(argument) if isinstance(n, ast.Constant) and isinstance(n.value, str)
        ]
        assert not [t for t in literals if re.search(r"[A-Za-z]{3,} [a-z]{2,}", t)], ast.unparse(argument)
