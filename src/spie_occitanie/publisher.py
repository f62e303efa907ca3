"""The publisher identity, set in one file and read by every export.

Nothing is invented: a value that is not configured is left out of what is
published, and :meth:`Publisher.missing_for_portals` says which fields a
portal such as data.gouv.fr or schema.data.gouv.fr will ask for.

**Where the settings are read from.** Users keep them beside their work, not
inside the installed package, so the file is looked up in this order
(:func:`publisher_file`):

1. the file given explicitly (``--publisher FILE`` on the command line, or
   :func:`use_publisher_file` in Python);
2. the file named by the ``SPIE_OCCITANIE_PUBLISHER`` environment variable;
3. ``spie-occitanie.toml`` in the current folder;
4. the defaults packaged with the library (``publisher.toml``).

``export`` and ``publish`` print which one they used.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import tomllib

from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import attrs

from spie_occitanie._version import __released__, __version__
from spie_occitanie.errors import PublisherSettingsError
from spie_occitanie.wording import say


__all__ = [
    "ENVIRONMENT_VARIABLE",
    "LOCAL_FILE",
    "Contributor",
    "Publisher",
    "PublisherFile",
    "PublisherSettingsError",
    "publisher",
    "publisher_file",
    "use_publisher_file",
]

#: The environment variable naming a publisher settings file.
ENVIRONMENT_VARIABLE = "SPIE_OCCITANIE_PUBLISHER"
#: The settings file looked for in the current folder.
LOCAL_FILE = "spie-occitanie.toml"

_CHOSEN: contextvars.ContextVar[Path | None] = contextvars.ContextVar("spie_publisher_file", default=None)


@attrs.frozen(kw_only=True)
class Contributor:
    """A person or group credited for the dataset.

    Attributes:
        title: the name credited.
        role: ``author`` or ``contributor``.
        email: a contact address, when one is configured.
        organisation: the organisation they act for, when configured.
    """

    title: str
    role: str
    email: str | None = None
    organisation: str | None = None

    def to_descriptor(self) -> dict[str, str]:
        """The Frictionless / schema.data.gouv.fr ``contributors`` entry, without unset keys."""
        return {k: v for k, v in attrs.asdict(self).items() if v is not None}


@attrs.frozen(kw_only=True)
class Publisher:
    """Who publishes the dataset, and its descriptive metadata.

    Attributes:
        name: the package's slug.
        title: the dataset's French title.
        description: what it holds, in French.
        keywords: search keywords.
        contributors: who is credited.
        homepage: the project's public home (its Git repository), when it has one.
        organisation: the publishing organisation's name, when there is one.
        email: the dataset's contact address, when one is configured.
        files_url: the public address the export folder is published under
            (``<files_url>/data/rounds.csv``), when there is one: DCAT-AP's
            download addresses and the schemas' example files need it.
        datagouv_dataset: the slug or id of the data.gouv.fr dataset to
            update, when it exists already.
        datagouv_organization: the id of the data.gouv.fr organisation that
            owns a dataset ``publish`` creates, when there is one.
        version: the dataset's version (the package's).
        released: the day this version was released (``YYYY-MM-DD``).
    """

    name: str
    title: str
    description: str
    keywords: tuple[str, ...]
    contributors: tuple[Contributor, ...]
    homepage: str | None = None
    organisation: str | None = None
    email: str | None = None
    files_url: str | None = None
    datagouv_dataset: str | None = None
    datagouv_organization: str | None = None
    version: str = __version__
    released: str = __released__

    @property
    def created(self) -> str:
        """The RFC 3339 date-time of the release, as frictionless requires for ``created``."""
        return f"{self.released}T00:00:00Z"

    def missing_for_portals(self) -> tuple[str, ...]:
        """Fields data.gouv.fr or schema.data.gouv.fr ask for that are not configured."""
        missing = []
        if self.homepage is None:
            missing.append("homepage")
        if self.organisation is None:
            missing.append("organisation")
        if self.email is None and not any(c.email for c in self.contributors):
            missing.append("contributors[].email")
        return tuple(missing)


@attrs.frozen(kw_only=True)
class PublisherFile:
    """The settings file in use and why it was chosen.

    Attributes:
        path: the file, or ``None`` for the packaged defaults.
        origin: ``--publisher``, ``$SPIE_OCCITANIE_PUBLISHER``, ``./spie-occitanie.toml``
            or ``packaged defaults``.
    """

    path: Path | None
    origin: str

    def __str__(self) -> str:
        return self.render()

    def render(self, lang: str = "en") -> str:
        """Which file, and why, in English or French (``lang``)."""
        if self.path is None:
            return say("export.settings.packaged", lang)
        return say("export.settings.file", lang, path=self.path, origin=self.origin)


_STRINGS = (
    "homepage",
    "organisation",
    "email",
    "files_url",
    "datagouv_dataset",
    "datagouv_organization",
)


def _text(where: str, document: dict[str, Any], key: str, *, required: bool) -> str | None:
    value = document.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise PublisherSettingsError(f"{where}: field {key!r} must be a non-empty string, not {value!r}")
    return value


def _url(where: str, key: str, value: str | None) -> str | None:
    if value is not None and not value.startswith(("https://", "http://")):
        raise PublisherSettingsError(f"{where}: field {key!r} must be an http(s) address, not {value!r}")
    return value.rstrip("/") if value is not None else None


def _from_toml(document: dict[str, Any], where: str = "publisher.toml") -> Publisher:
    known = {"name", "title", "description", "keywords", "contributors", *_STRINGS}
    unknown = sorted(set(document) - known)
    if unknown:
        raise PublisherSettingsError(f"{where}: unknown field(s) {', '.join(map(repr, unknown))}")
    keywords = document.get("keywords", [])
    if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
        raise PublisherSettingsError(f"{where}: field 'keywords' must be a list of strings")
    contributors = []
    for number, entry in enumerate(document.get("contributors", []), start=1):
        if (
            not isinstance(entry, dict)
            or not {"title", "role"} <= set(entry)
            or set(entry)
            - {
                "title",
                "role",
                "email",
                "organisation",
            }
        ):
            raise PublisherSettingsError(
                f"{where}: contributor #{number} must have 'title' and 'role' and may have "
                f"'email' and 'organisation', not {entry!r}"
            )
        contributors.append(Contributor(**entry))
    text = {key: _text(where, document, key, required=False) for key in _STRINGS}
    return Publisher(
        name=str(_text(where, document, "name", required=True)),
        title=str(_text(where, document, "title", required=True)),
        description=str(_text(where, document, "description", required=True)),
        keywords=tuple(keywords),
        contributors=tuple(contributors),
        homepage=_url(where, "homepage", text["homepage"]),
        organisation=text["organisation"],
        email=text["email"],
        files_url=_url(where, "files_url", text["files_url"]),
        datagouv_dataset=text["datagouv_dataset"],
        datagouv_organization=text["datagouv_organization"],
    )


def publisher_file(path: Path | str | None = None) -> PublisherFile:
    """The settings file to read: ``path``, else the one chosen for this context, else the lookup.

    Raises:
        PublisherSettingsError: a file given explicitly or by the environment does not exist.
    """
    chosen = Path(path) if path is not None else _CHOSEN.get()
    if chosen is not None:
        candidate, origin = chosen, "--publisher"
    elif os.environ.get(ENVIRONMENT_VARIABLE):
        candidate, origin = Path(os.environ[ENVIRONMENT_VARIABLE]), f"${ENVIRONMENT_VARIABLE}"
    elif Path(LOCAL_FILE).is_file():
        return PublisherFile(path=Path(LOCAL_FILE).absolute(), origin=f"./{LOCAL_FILE}")
    else:
        return PublisherFile(path=None, origin="packaged defaults")
    if not candidate.is_file():
        raise PublisherSettingsError(f"{candidate}: no such publisher settings file (given by {origin})")
    return PublisherFile(path=candidate.absolute(), origin=origin)


@contextlib.contextmanager
def use_publisher_file(path: Path | str | None) -> Iterator[PublisherFile]:
    """Read the publisher from ``path`` inside the ``with`` block (the lookup when ``None``)."""
    found = publisher_file(path)
    token = _CHOSEN.set(found.path if path is not None else None)
    try:
        yield found
    finally:
        _CHOSEN.reset(token)


def publisher(path: Path | str | None = None) -> Publisher:
    """The configured publisher, from the file :func:`publisher_file` finds.

    Raises:
        PublisherSettingsError: the file cannot be read, is not TOML, or has a bad field.
    """
    found = publisher_file(path)
    if found.path is None:
        text = resources.files("spie_occitanie").joinpath("publisher.toml").read_text(encoding="utf-8")
        return _from_toml(tomllib.loads(text))
    where = str(found.path)
    try:
        document = tomllib.loads(found.path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise PublisherSettingsError(f"{where}: cannot be read as TOML ({error})") from None
    return _from_toml(document, where)
