"""The words of the command line's human-readable outputs, in English and in French: one vocabulary.

The command line speaks English by default and French with ``--lang fr``: the
publication's audience is French. Every sentence it prints about its own work
(a verdict, a count, a heading, what an export wrote and replaced, a refusal)
is a :class:`Phrase` of :data:`PHRASES`, named by a key, with its English and
its French side by side; :func:`say` picks one and fills it in. No other
module holds the English of these sentences.

Each kind of finding (its ``check`` id) has a one-line description in both
languages in :data:`FINDING_KINDS`, the only list of what each check finds.
The message of one finding, which names its file, row, field and value, is
written where the finding is made, in English; a French report gives the
French description beside the finding's location, field and value (all
translated words), then that message as an English detail. The identifiers
(check ids, table, field and column names, file paths) and JSON output are
the same in both languages.

This module imports nothing of the package, so that any layer may use it.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs


__all__ = ["ARGPARSE_FR", "FINDING_KINDS", "LANGUAGES", "PHRASES", "Phrase", "describe", "say"]

#: The languages of the human-readable outputs; the first is the default.
LANGUAGES = ("en", "fr")


@attrs.frozen(kw_only=True)
class Phrase:
    """One sentence (or word) in English and in French.

    Attributes:
        en: the English, a :meth:`str.format` template.
        fr: the French, the same template with the same fields, as French officials write it.
    """

    en: str
    fr: str

    def __call__(self, lang: str = "en", /, **values: object) -> str:
        """The phrase in ``lang`` (``en`` or ``fr``), its fields filled with ``values``."""
        if lang not in LANGUAGES:
            message = f"language {lang!r} is not one of {', '.join(LANGUAGES)}"
            raise ValueError(message)
        return (self.fr if lang == "fr" else self.en).format(**values)


def _p(en: str, fr: str) -> Phrase:
    return Phrase(en=en, fr=fr)


#: Every sentence of the command line's own, by key.
PHRASES: Mapping[str, Phrase] = {
    # -- severities, reports and findings
    "error": _p("error", "erreur"),
    "warning": _p("warning", "avertissement"),
    "report.counts": _p(
        "{errors} error(s), {warnings} warning(s)", "{errors} erreur(s), {warnings} avertissement(s)"
    ),
    "report.consequences": _p(
        ", {count} consequence(s) attached to them", ", {count} conséquence(s) rattachée(s) à ces constats"
    ),
    "report.passed": _p("{head}: every check passed", "{head} : tous les contrôles sont passés"),
    "finding.consequences": _p(" (+{count} consequence(s))", " (+{count} conséquence(s))"),
    "finding.file": _p("file {file}", "fichier {file}"),
    "finding.row": _p("row {row}", "ligne {row}"),
    "finding.table": _p("table {table}", "table {table}"),
    "finding.key": _p("key {key!r}", "clé « {key} »"),
    "finding.field": _p("field {field!r}", "champ « {field} »"),
    "finding.value": _p("value {value!r}", "valeur « {value} »"),
    "finding.detail": _p("detail: {message}", "détail (en anglais) : {message}"),
    "finding.unknown-kind": _p("a finding of kind {check}", "constat de type « {check} »"),
    # -- usage errors (argparse's message, translated by ARGPARSE_FR)
    "usage.error": _p("{prog}: error: {message}", "{prog} : erreur : {message}"),
    # -- validate
    "validate.valid": _p("{path}: valid", "{path} : valide"),
    "validate.invalid": _p("{path}: INVALID", "{path} : NON VALIDE"),
    # -- export
    "export.settings": _p("Publisher settings: {settings}", "Réglages de l'éditeur : {settings}"),
    "export.settings.packaged": _p(
        "the packaged defaults (spie_occitanie/publisher.toml)",
        "les réglages fournis avec le paquet (spie_occitanie/publisher.toml)",
    ),
    "export.settings.file": _p("{path} (from {origin})", "{path} (d'après {origin})"),
    "export.wrote": _p(
        "Wrote {formats} to {out} ({files} files, {size} bytes):",
        "Formats écrits ({formats}) dans {out} ({files} fichiers, {size} octets) :",
    ),
    "export.file": _p("  {path:<44} {size:>9} bytes", "  {path:<44} {size:>9} octets"),
    "export.replaced": _p(
        "Replaced the previous export; {count} of its files are gone: {shown}",
        "L'export précédent est remplacé ; {count} de ses fichiers ont disparu : {shown}",
    ),
    "export.not-configured": _p(
        "Not configured (set them in the publisher settings before publishing; portals ask for them): "
        "{missing}",
        "Non renseignés (à indiquer dans les réglages de l'éditeur avant de publier ; les portails "
        "les demandent) : {missing}",
    ),
    "export.unknown-format": _p(
        "unknown format(s) {named}; choose from {choices}",
        "format(s) inconnu(s) : {named} ; formats possibles : {choices}",
    ),
    "export.no-format": _p(
        "unknown format(s) (none given); choose from {choices}",
        "aucun format indiqué ; formats possibles : {choices}",
    ),
    "export.option-unused": _p(
        "{flag} is used only by the {users} format; add it to --format or leave {flag} out",
        "{flag} ne sert qu'au format {users} ; ajoutez ce format à --format ou retirez {flag}",
    ),
    "export.symlink": _p(
        "{out}: is a symbolic link; give the folder it points to, or another --out",
        "{out} : est un lien symbolique ; indiquez le dossier vers lequel il pointe, ou un autre --out",
    ),
    "export.root-or-home": _p(
        "{out}: refusing to export into the root or the home folder; choose another --out",
        "{out} : export refusé dans la racine ou le dossier personnel ; choisissez un autre --out",
    ),
    "export.not-a-folder": _p(
        "{out}: exists and is not a folder; refusing to replace it",
        "{out} : existe et n'est pas un dossier ; remplacement refusé",
    ),
    "export.not-writable": _p(
        "{out}: cannot be replaced (not writable); choose another --out",
        "{out} : ne peut pas être remplacé (écriture impossible) ; choisissez un autre --out",
    ),
    "export.not-ours": _p(
        "{out}: is not empty and is not an export of spie-occitanie (no {manifest}); "
        "refusing to replace it. Choose another --out.",
        "{out} : n'est pas vide et n'est pas un export de spie-occitanie (pas de {manifest}) ; "
        "remplacement refusé. Choisissez un autre --out.",
    ),
    "export.manifest-unreadable": _p(
        "{manifest}: cannot be read ({error}); refusing to replace {out}",
        "{manifest} : illisible ({error}) ; remplacement de {out} refusé",
    ),
    "export.edited": _p(
        "{out}: files changed since the previous export wrote them ({shown}); "
        "refusing to replace them. Move them away or choose another --out.",
        "{out} : des fichiers ont changé depuis que l'export précédent les a écrits ({shown}) ; "
        "remplacement refusé. Déplacez-les ou choisissez un autre --out.",
    ),
    "export.foreign": _p(
        "{out}: holds files the previous export did not write ({shown}); refusing to replace it",
        "{out} : contient des fichiers que l'export précédent n'a pas écrits ({shown}) ; remplacement refusé",
    ),
    "export.busy": _p(
        "{out}: another export into this folder is running; try again when it is done",
        "{out} : un autre export vers ce dossier est en cours ; réessayez quand il sera terminé",
    ),
    "missing-dependency": _p(
        "{what} needs the '{extra}' extra: pip install 'spie-occitanie[{extra}]'",
        "{what} : il faut installer l'extra « {extra} » : pip install 'spie-occitanie[{extra}]'",
    ),
    "scdl.errors": _p("{count} error(s)", "{count} erreur(s)"),
    # -- rehash
    "rehash.refused": _p(
        "{descriptor}: not rehashed; fix these first (nothing was written):",
        "{descriptor} : empreintes non réécrites ; corrigez d'abord ceci (rien n'a été écrit) :",
    ),
    "rehash.done": _p(
        "{descriptor}: rewrote the hash and size of {files}",
        "{descriptor} : empreinte et taille réécrites pour {files}",
    ),
    "rehash.nothing": _p(
        "{descriptor}: every hash and size already matches its file",
        "{descriptor} : chaque empreinte et chaque taille correspondent déjà à leur fichier",
    ),
    # -- publish
    "publish.would-send": _p(
        "Would send to {url} (dry run, {count} requests):",
        "Requêtes à envoyer à {url} (simulation, {count} requêtes) :",
    ),
    "publish.sent": _p("Sent to {url} ({count} requests):", "Envoyé à {url} ({count} requêtes) :"),
    "publish.to-upload": _p("Files to upload: {count}", "Fichiers à téléverser : {count}"),
    "publish.uploaded": _p("Files uploaded: {count}", "Fichiers téléversés : {count}"),
    "publish.unchanged": _p(
        "Unchanged on the portal (not uploaded): {files}",
        "Inchangés sur le portail (non téléversés) : {files}",
    ),
    "publish.nothing-sent": _p(
        "Nothing was sent. Run again with --apply and the API key in ${variable}.",
        "Rien n'a été envoyé. Relancez avec --apply et la clé d'API dans ${variable}.",
    ),
    # -- diff
    "diff.old": _p("old: {release}", "ancienne : {release}"),
    "diff.new": _p("new: {release}", "nouvelle : {release}"),
    "diff.release": _p("{path} ({format})", "{path} ({format})"),
    "diff.release-version": _p(
        "{path} ({format}, version {version})", "{path} ({format}, version {version})"
    ),
    "diff.no-change": _p("no change", "aucun changement"),
    "diff.tables": _p("tables:", "tables :"),
    "diff.rows": _p("{old} {arrow} {new} rows", "{old} {arrow} {new} lignes"),
    "diff.schema": _p("schema:", "schéma :"),
    "diff.records-heading": _p("records:", "enregistrements :"),
    "diff.citations-heading": _p("citations:", "citations :"),
    "diff.conflicts": _p("conflicts:", "désaccords entre sources :"),
    "diff.completeness": _p("completeness:", "complétude :"),
    "diff.more-in": _p(
        "… and {count} more in {table} (--json lists every one)",
        "… et {count} de plus dans {table} (--json les liste tous)",
    ),
    "diff.more": _p(
        "… and {count} more (--json lists every one)", "… et {count} de plus (--json les liste tous)"
    ),
    "diff.empty": _p("(empty)", "(vide)"),
    "diff.record": _p("{count} record", "{count} enregistrement"),
    "diff.records": _p("{count} records", "{count} enregistrements"),
    "diff.citation": _p("{count} citation", "{count} citation"),
    "diff.citations": _p("{count} citations", "{count} citations"),
    "diff.schema-change": _p("{count} schema change", "{count} changement de schéma"),
    "diff.schema-changes": _p("{count} schema changes", "{count} changements de schéma"),
    "diff.added": _p("added", "ajouté(s)"),
    "diff.removed": _p("removed", "supprimé(s)"),
    "diff.changed": _p("changed", "modifié(s)"),
    "diff.citation-added": _p("added", "ajoutée(s)"),
    "diff.withdrawn": _p("withdrawn", "retirée(s)"),
    "diff.restated": _p("restated", "reformulée(s)"),
    "diff.appeared": _p("appeared", "apparu"),
    "diff.resolved": _p("resolved", "résolu"),
    "diff.kept-changed": _p("kept-changed", "valeur retenue modifiée"),
    "diff.now-disagree": _p(
        "sources now disagree: {claims}; kept {kept}",
        "les sources divergent désormais : {claims} ; retenu : {kept}",
    ),
    "diff.now-agree": _p(
        "sources now agree; they said {claims}", "les sources concordent désormais ; elles disaient {claims}"
    ),
    "diff.kept-value": _p("kept value {kept}: {claims}", "valeur retenue {kept} : {claims}"),
    "diff.against": _p(", against ", ", contre "),
    "diff.whole-table": _p("{table} (the whole table)", "{table} (toute la table)"),
    "diff.count": _p("{known} of {declared} known", "{known} sur {declared} connus"),
    "diff.inferred": _p(" ({count} by inference)", " (dont {count} par déduction)"),
    "diff.all-rounds": _p("all rounds", "toutes les vagues"),
    "diff.national": _p("national", "national"),
    "diff.new-figure": _p("new figure: {new}", "nouveau chiffre : {new}"),
    "diff.figure-withdrawn": _p("figure withdrawn (was {old})", "chiffre retiré (c'était {old})"),
    # -- the summary
    "summary.rounds": _p("Rounds", "Vagues"),
    "summary.launched": _p("launched", "lancement"),
    "summary.deadline": _p("deadline", "date limite"),
    "summary.announced": _p("announced", "annonce"),
    "summary.dates-unknown": _p("dates unknown", "dates inconnues"),
    "summary.known-of": _p(
        "{known} of {retained} territories known", "{known} sur {retained} territoires connus"
    ),
    "summary.laureates": _p("Laureates in {region} ({count})", "Lauréats : {region} ({count})"),
    "summary.carried-by": _p(", carried by {holder}", ", porté par {holder}"),
    "summary.funding": _p(
        "Funding (amounts as stated, with their precision)",
        "Financements (montants tels que les sources les donnent, avec leur précision)",
    ),
    "summary.envelope": _p("envelope", "enveloppe"),
    "summary.allocation": _p("allocation", "attribution"),
    "summary.years-unknown": _p("years unknown", "années inconnues"),
    "summary.conflicts": _p("Conflicts between sources ({count})", "Désaccords entre sources ({count})"),
    "summary.kept": _p("kept", "retenu"),
    "summary.completeness": _p("Completeness", "Complétude"),
    "summary.counted": _p("{known} of {declared} known", "{known} sur {declared} connus"),
    "summary.inferred": _p(", {count} inferred", ", {count} déduits"),
    "summary.unknown": _p(", {count} unknown", ", {count} inconnus"),
    "summary.all-rounds": _p("all rounds", "toutes les vagues"),
    "summary.checks": _p(
        "Checks: {errors} error(s), {warnings} warning(s)",
        "Contrôles : {errors} erreur(s), {warnings} avertissement(s)",
    ),
}


#: What each kind of finding finds, by its ``check`` id: the one description of each.
FINDING_KINDS: Mapping[str, Phrase] = {
    # The dataset's checks across records (spie_occitanie.checks).
    "duplicate-key": _p(
        "two records of a table with the same key", "deux enregistrements d'une table ont la même clé"
    ),
    "duplicate-selection": _p(
        "a territory selected twice in one round", "un territoire est retenu deux fois dans une même vague"
    ),
    "reference-unresolved": _p(
        "an id that names no record (round, territory, organisation, source, envelope, selection, "
        "the record a citation is about)",
        "un identifiant ne désigne aucun enregistrement (vague, territoire, organisme, source, enveloppe, "
        "sélection, enregistrement cité)",
    ),
    "citation-field-unknown": _p(
        "a citation about a field the record lacks",
        "une citation porte sur un champ que l'enregistrement n'a pas",
    ),
    "citation-value-invalid": _p(
        "a citation value that is not a value of its field",
        "la valeur d'une citation n'est pas une valeur possible de son champ",
    ),
    "citation-quote-missing": _p(
        "a citation without a quote (only a reference dataset may be cited without one)",
        "une citation sans extrait (seul un jeu de données de référence peut être cité sans extrait)",
    ),
    "record-uncited": _p("a record no citation supports", "aucune citation n'appuie cet enregistrement"),
    "value-uncited": _p(
        "a non-empty, non-key value that no citation of its field supports (reference rows and the "
        "project's own designations are exempt)",
        "une valeur non vide, hors clé, qu'aucune citation de son champ n'appuie (les lignes de référence "
        "et les désignations propres au projet en sont dispensées)",
    ),
    "selection-region": _p(
        "a selection whose territory is not in the région its source places it in",
        "le territoire d'une sélection n'est pas dans la région où sa source le place",
    ),
    "count-mismatch": _p(
        "more records than a source's count, or counts that do not add up",
        "plus d'enregistrements que le nombre donné par une source, ou des nombres dont la somme "
        "ne tombe pas juste",
    ),
    "dates-order": _p(
        "launch, deadline and announcement out of order, as intervals",
        "lancement, date limite et annonce ne se suivent pas dans l'ordre",
    ),
    "allocation-exceeds-envelope": _p(
        "allocations that cannot fit their envelope", "des attributions dépassent forcément leur enveloppe"
    ),
    "envelope-exceeds-parent": _p(
        "an envelope that cannot fit the one it is part of",
        "une enveloppe dépasse forcément celle dont elle fait partie",
    ),
    "conflict-preference": _p(
        "a record that does not keep the value the preference rule chooses",
        "l'enregistrement ne retient pas la valeur que choisit la règle de préférence",
    ),
    "source-conflict": _p("sources that disagree on a field", "des sources se contredisent sur un champ"),
    "incomplete-list": _p(
        "fewer records known than a source counts",
        "moins d'enregistrements connus que n'en compte une source",
    ),
    # Reading a package (spie_occitanie.stream): descriptor, files, rows and cells.
    "descriptor-error": _p(
        "a descriptor (datapackage.json) that is not a valid data package descriptor",
        "le descripteur (datapackage.json) n'est pas un descripteur de paquet de données valide",
    ),
    "unsafe-path": _p(
        "a path of the descriptor that must not be followed (absolute, outside the package, a URL)",
        "un chemin du descripteur qui ne doit pas être suivi (absolu, hors du paquet, adresse web)",
    ),
    "missing-resource": _p(
        "a table of the dataset missing from the descriptor",
        "une table du jeu de données manque au descripteur",
    ),
    "missing-file": _p(
        "a file the descriptor names that is not in the package",
        "un fichier que nomme le descripteur est absent du paquet",
    ),
    "file-too-large": _p(
        "a file larger than the reader accepts", "un fichier plus gros que ce que le lecteur accepte"
    ),
    "schema-error": _p(
        "a Table Schema that cannot be read or is not valid", "un schéma de table illisible ou non valide"
    ),
    "schema-mismatch": _p(
        "a Table Schema that is not the table's own (an edited rule, a pattern the package brings)",
        "un schéma de table qui n'est pas celui de la table (règle modifiée, motif apporté par le paquet)",
    ),
    "encoding-error": _p("a file that is not UTF-8 text", "un fichier qui n'est pas du texte UTF-8"),
    "spreadsheet-csv": _p(
        "a CSV file saved by a spreadsheet (';' separator, Windows-1252)",
        "un fichier CSV enregistré par un tableur (séparateur « ; », Windows-1252)",
    ),
    "source-error": _p("a file that cannot be read as CSV", "un fichier qui ne peut pas être lu comme CSV"),
    "hash-count": _p(
        "a file whose hash is not the one the descriptor declares: it changed after the package was "
        "written (spie-occitanie rehash accepts a change of yours)",
        "l'empreinte du fichier n'est pas celle que déclare le descripteur : il a changé depuis "
        "l'écriture du paquet (spie-occitanie rehash accepte une modification voulue)",
    ),
    "byte-count": _p(
        "a file whose size is not the one the descriptor declares: it changed after the package was written",
        "la taille du fichier n'est pas celle que déclare le descripteur : il a changé depuis "
        "l'écriture du paquet",
    ),
    "blank-header": _p("a header row with no label", "une ligne d'en-tête sans intitulé"),
    "blank-label": _p("a column without a label", "une colonne sans intitulé"),
    "duplicate-label": _p("two columns with the same label", "deux colonnes portent le même intitulé"),
    "extra-label": _p("a column the schema does not have", "une colonne que le schéma n'a pas"),
    "missing-label": _p(
        "a column of the schema missing from the header", "une colonne du schéma manque à l'en-tête"
    ),
    "incorrect-label": _p(
        "a column label that is not the schema's at that place",
        "un intitulé de colonne qui n'est pas celui du schéma à cette place",
    ),
    "blank-row": _p("a row with no value", "une ligne sans aucune valeur"),
    "extra-cell": _p(
        "a row with more cells than the header has columns",
        "une ligne a plus de cellules que l'en-tête n'a de colonnes",
    ),
    "missing-cell": _p(
        "a row with fewer cells than the header has columns",
        "une ligne a moins de cellules que l'en-tête n'a de colonnes",
    ),
    "type-error": _p(
        "a value that is not of its column's type", "une valeur qui n'est pas du type de sa colonne"
    ),
    "constraint-error": _p(
        "a value that breaks a constraint of its column",
        "une valeur qui ne respecte pas une contrainte de sa colonne",
    ),
    "value-rule": _p(
        "a value that breaks a rule of the model", "une valeur qui enfreint une règle du modèle"
    ),
    "primary-key": _p("two rows with the same primary key", "deux lignes ont la même clé primaire"),
    "unique-error": _p(
        "two rows with the same value in a column of unique values",
        "deux lignes ont la même valeur dans une colonne à valeurs uniques",
    ),
    "foreign-key": _p(
        "a value that names no row of the table it refers to",
        "une valeur qui ne désigne aucune ligne de la table à laquelle elle renvoie",
    ),
    "more-findings": _p(
        "more findings of one kind in one file than a report lists: the rest are counted in the detail",
        "plus de constats d'un même type dans un fichier qu'un rapport n'en liste : les autres sont "
        "comptés dans le détail",
    ),
    # data.gouv.fr's metadata (spie_occitanie.formats.datagouv).
    "shape": _p(
        "datagouv.json without its 'dataset' object and 'uploads' list",
        "datagouv.json sans son objet « dataset » et sa liste « uploads »",
    ),
    "tags": _p(
        "tags that are not udata's slugs, sorted and unique",
        "des mots-clés qui ne sont pas des identifiants udata, triés et uniques",
    ),
    "resources": _p(
        "resources given in the dataset rather than through the upload plan",
        "des ressources données dans le jeu de données plutôt que par le plan de téléversement",
    ),
    "temporal-coverage": _p(
        "a temporal coverage that ends before it starts",
        "une couverture temporelle qui finit avant de commencer",
    ),
    "upload": _p(
        "an upload without a path or a hexadecimal sha256",
        "un téléversement sans chemin ou sans empreinte sha256 hexadécimale",
    ),
    "protected-fields": _p(
        "fields of an uploaded file that udata sets itself",
        "des champs d'un fichier téléversé que udata renseigne lui-même",
    ),
    # The SCDL « subventions » schema's own rules (spie_occitanie.formats.scdl).
    "siret-value": _p("a SIRET that is not valid", "un SIRET non valide"),
    "one-of-required": _p(
        "a row missing every one of several columns of which one is required",
        "une ligne à laquelle manquent toutes les colonnes dont l'une est obligatoire",
    ),
}


#: argparse's error messages in French, by argparse's own English message (its gettext id):
#: the usage errors of ``--lang fr`` (an unknown option, a missing argument, a bad choice).
ARGPARSE_FR: Mapping[str, str] = {
    "unrecognized arguments: %s": "arguments non reconnus : %s",
    "the following arguments are required: %s": "arguments obligatoires manquants : %s",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s : %(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "choix non valide : %(value)r (choix possibles : "
    "%(choices)s)",
    "expected one argument": "un argument est attendu",
    "not allowed with argument %s": "incompatible avec l'argument %s",
    "ambiguous option: %(option)s could match %(matches)s": "option ambiguë : %(option)s peut désigner "
    "%(matches)s",
    "one of the arguments %s is required": "l'un des arguments %s est obligatoire",
    "invalid %(type)s value: %(value)r": "valeur %(type)s non valide : %(value)r",
    "ignored explicit argument %r": "argument explicite ignoré : %r",
}


def say(key: str, lang: str = "en", /, **values: object) -> str:
    """The phrase ``key`` of :data:`PHRASES` in ``lang``, its fields filled with ``values``."""
    return PHRASES[key](lang, **values)


def describe(check: str, lang: str = "en") -> str:
    """What a kind of finding finds, in ``lang``; a kind from elsewhere (frictionless) is named."""
    kind = FINDING_KINDS.get(check)
    return say("finding.unknown-kind", lang, check=check) if kind is None else kind(lang)
