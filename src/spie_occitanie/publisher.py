"""The publisher identity, set in one place (``publisher.toml``) and read by every export.

Nothing is invented: a value that is not configured is left out of what is
published, and :meth:`Publisher.missing_for_portals` says which fields a
portal such as data.gouv.fr or schema.data.gouv.fr will ask for.
"""

from __future__ import annotations

import tomllib

from importlib import resources
from typing import Any

import attrs

from spie_occitanie._version import __released__, __version__


__all__ = ["Contributor", "Publisher", "publisher"]


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
        homepage: the project's public home, when it has one.
        organisation: the publishing organisation, when there is one.
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
        if not any(c.email for c in self.contributors):
            missing.append("contributors[].email")
        return tuple(missing)


def _from_toml(document: dict[str, Any]) -> Publisher:
    return Publisher(
        name=document["name"],
        title=document["title"],
        description=document["description"],
        keywords=tuple(document.get("keywords", ())),
        contributors=tuple(Contributor(**c) for c in document.get("contributors", ())),
        homepage=document.get("homepage"),
        organisation=document.get("organisation"),
    )


def publisher() -> Publisher:
    """The configured publisher, from the package's ``publisher.toml``."""
    text = resources.files("spie_occitanie").joinpath("publisher.toml").read_text(encoding="utf-8")
    return _from_toml(tomllib.loads(text))
