"""udata (the software of data.gouv.fr) run in-process, for the contract tests.

The code under test is udata's own: its Flask app, API, forms, upload
endpoints and DCAT reader, at the version pinned in the ``portal`` extra.
Only storage is a double: MongoDB is mongomock in memory, files go to a
temporary folder. An empty udata knows no licence, zone or user, so this
creates what a real data.gouv.fr has: the Licence Ouverte 2.0 (``lov2``), the
zones the dataset names, one user and its API key.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def _zones() -> list[tuple[str, str, str, str]]:
    """(id, level, code, name) of France, its régions and its départements, from the COG."""
    from spie_occitanie import load

    ds = load()
    zones = [("country:fr", "country", "fr", "France")]
    for territory in ds.territories:
        tid = territory.territory_id
        if tid.startswith(("fr:region:", "fr:departement:")):
            level, code = tid.rsplit(":", 1)
            zones.append((tid, level, code, territory.name))
    return zones


@contextmanager
def udata_app(tmp: Path, *, allowed_extensions: list[str] | None = None) -> Iterator[tuple[Any, str]]:
    """udata's app with its API, an in-memory database, and the API key of a user."""
    import mongoengine
    import mongomock

    from udata import settings
    from udata.app import create_app, standalone
    from udata.core import storages
    from udata.flask_mongoengine import connection

    def _connect(conn_settings: dict[str, Any]) -> Any:
        name = conn_settings.pop("name")
        conn_settings.pop("host", None)
        return mongoengine.connect(
            name,
            host="mongodb://localhost",
            mongo_client_class=mongomock.MongoClient,
            uuidRepresentation="standard",
        )

    class Override(settings.Testing):
        FS_ROOT = str(tmp / "fs")
        RESOURCES_FS_BACKEND = "local"
        FS_BACKEND = "local"
        MONGODB_HOST = "mongodb://localhost:27017/udata-contract"
        SERVER_NAME = "127.0.0.1"
        URLS_ALLOW_PRIVATE = True

    if allowed_extensions is not None:
        Override.ALLOWED_RESOURCES_EXTENSIONS = allowed_extensions

    original = connection._connect
    connection._connect = _connect
    try:
        app = create_app(settings.Defaults, override=Override)
        standalone(app)
        storages.init_app(app)
        with app.app_context():
            key = _populate()
        yield app, key
    finally:
        connection._connect = original
        mongoengine.disconnect_all()


def _populate() -> str:
    from udata.core.api_token.models import ApiToken
    from udata.core.dataset.factories import LicenseFactory
    from udata.core.spatial.models import GeoLevel, GeoZone
    from udata.core.user.factories import UserFactory

    LicenseFactory(
        id="lov2",
        title="Licence Ouverte / Open Licence version 2.0",
        url="https://www.etalab.gouv.fr/licence-ouverte-open-licence",
        alternate_urls=["https://spdx.org/licenses/etalab-2.0.html"],
    )
    for level, name, admin in (
        ("country", "Pays", 10),
        ("fr:region", "Région", 40),
        ("fr:departement", "Département", 60),
    ):
        GeoLevel.objects.create(id=level, name=name, admin_level=admin)
    for zid, level, code, name in _zones():
        GeoZone.objects.create(id=zid, level=level, code=code, name=name, slug=zid.replace(":", "-"))
    user = UserFactory()
    _, key = ApiToken.generate(user)
    return str(key)
