"""Publish an export folder on data.gouv.fr (or any udata portal), through its API.

``spie-occitanie publish DIR`` reads ``DIR/datagouv.json`` (written by
``export --format datagouv``) and turns it into the requests udata takes:

1. the dataset: ``POST /api/1/datasets/`` when it does not exist yet, ``PUT
   /api/1/datasets/{id}/`` when it does (found by the slug or id configured in
   the publisher settings, or among the key owner's datasets by the
   ``spie-occitanie:name`` extra the project sets);
2. each file: ``POST /api/1/datasets/{id}/upload/`` for a new one, ``POST
   /api/1/datasets/{id}/resources/{rid}/upload/`` for one whose bytes changed
   (udata's own sha1 ``checksum`` compared with the file's), nothing for an
   unchanged one; then ``PUT /api/1/datasets/{id}/resources/{rid}/`` with the
   fields udata does not set itself (title, description, type, schema link,
   extras). Protected fields (url, checksum, size, MIME type, format) are never
   sent.

A run is a dry run unless ``apply`` is set: it prints the requests it would
make and touches no network. With ``apply`` the HTTP session is
data.gouv.fr's own client's (``datagouv-client``: its user agent and its
``X-API-KEY`` header); the requests are made one by one without the
client's blind retries, so that a refused key or file stops at once. The API
key is read from ``DATAGOUV_API_KEY`` only, and is never printed or written.

Nothing is half-published without saying so: the portal's allowed file
extensions are read before anything is sent, and when a request fails the
error lists what was sent and what was not.
"""

from __future__ import annotations

import hashlib
import json
import os

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs

from spie_occitanie.errors import MissingDependencyError, PublishError, SpieError, UsageError
from spie_occitanie.wording import say


__all__ = [
    "API_KEY_VARIABLE",
    "DEFAULT_BASE_URL",
    "Outcome",
    "PublishError",
    "Step",
    "plan",
    "publish",
]

#: The environment variable holding the API key: the only place it is read from.
API_KEY_VARIABLE = "DATAGOUV_API_KEY"
#: data.gouv.fr; ``https://demo.data.gouv.fr`` is its sandbox for trials.
DEFAULT_BASE_URL = "https://www.data.gouv.fr"
#: The extra that marks a dataset (and a resource) as this project's.
NAME_EXTRA = "spie-occitanie:name"
PATH_EXTRA = "spie-occitanie:path"


@attrs.frozen(kw_only=True)
class Step:
    """One request, as the dry run prints it.

    Attributes:
        method: ``GET``, ``POST`` or ``PUT``.
        path: the API path, ``{id}`` and ``{rid}`` standing for ids not known yet.
        what: what it does, in a few words.
        body: the JSON body, or ``None``.
        file: the file sent (multipart), relative to the export folder.
    """

    method: str
    path: str
    what: str
    body: Mapping[str, Any] | None = None
    file: str | None = None

    def __str__(self) -> str:
        text = f"{self.method} {self.path}  # {self.what}"
        if self.file is not None:
            text += f"\n    file: {self.file}"
        if self.body is not None:
            shown = {k: _short(v) for k, v in self.body.items()}
            text += "\n    json: " + json.dumps(shown, ensure_ascii=False)
        return text


def _short(value: Any) -> Any:
    if isinstance(value, str) and len(value) > 80:
        return value[:77] + "..."
    return value


@attrs.frozen(kw_only=True)
class Outcome:
    """What a publish did (or would do).

    Attributes:
        base_url: the portal.
        dataset: the dataset's id, or ``None`` on a dry run that would create it.
        created: whether the dataset was (or would be) created.
        uploaded: the files uploaded (or to upload), relative to the folder.
        unchanged: the files whose bytes the portal already has.
        steps: the requests made (or to make), in order.
        applied: ``False`` for a dry run.
    """

    base_url: str
    dataset: str | None
    created: bool
    uploaded: tuple[str, ...]
    unchanged: tuple[str, ...]
    steps: tuple[Step, ...]
    applied: bool

    def render(self, lang: str = "en") -> str:
        """The report printed by the command line, in English or French (``lang``).

        The requests themselves (method, path, what each does, the JSON sent)
        are the API's and stay as they are.
        """
        head = "publish.sent" if self.applied else "publish.would-send"
        lines = [say(head, lang, url=self.base_url, count=len(self.steps))]
        lines.extend(f"  {step}".replace("\n", "\n  ") for step in self.steps)
        if self.uploaded:
            done = "publish.uploaded" if self.applied else "publish.to-upload"
            lines.append(say(done, lang, count=len(self.uploaded)))
        if self.unchanged:
            lines.append(say("publish.unchanged", lang, files=", ".join(self.unchanged)))
        if not self.applied:
            lines.append(say("publish.nothing-sent", lang, variable=API_KEY_VARIABLE))
        return "\n".join(lines)


# -- reading the export ---------------------------------------------------------------------------


def _load(folder: Path) -> dict[str, Any]:
    from spie_occitanie.formats.datagouv import FILE_NAME, check_datagouv

    path = folder / FILE_NAME
    if not path.is_file():
        raise UsageError(f"{path}: no such file; write it with `spie-occitanie export --format datagouv`")
    try:
        document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UsageError(f"{path}: is not JSON ({error})") from None
    report = check_datagouv(document)
    if not report.ok:
        raise SpieError(f"{path}: cannot be published\n{report}")
    for upload in document["uploads"]:
        file = folder / upload["path"]
        if not file.is_file():
            raise SpieError(f"{path}: lists {upload['path']!r}, which is not in {folder}")
        digest = hashlib.sha256(file.read_bytes()).hexdigest()
        if digest != upload["sha256"]:
            raise SpieError(
                f"{file}: its sha256 is {digest}, datagouv.json says {upload['sha256']}; "
                "the file changed after the export: export again"
            )
    return document


def _sha1(path: Path) -> str:
    return hashlib.sha1(path.read_bytes(), usedforsecurity=False).hexdigest()


def _extension(path: str) -> str:
    return path.rsplit(".", 1)[-1].lower()


def _target(dataset: str | None) -> str:
    return "{id}" if dataset is None else dataset


def plan(folder: Path | str, *, base_url: str = DEFAULT_BASE_URL, dataset: str | None = None) -> Outcome:
    """The requests a publish of ``folder`` makes on a portal where nothing is known yet.

    No network: when ``dataset`` (a slug or id) is given, the dataset is
    updated and each file is uploaded only if the portal's checksum differs,
    which only ``apply`` can find out; the plan shows every upload.
    """
    folder = Path(folder)
    document = _load(folder)
    base = base_url.rstrip("/")
    steps: list[Step] = [
        Step(method="GET", path="/api/1/datasets/extensions/", what="extensions the portal allows")
    ]
    if dataset is None:
        steps.append(Step(method="GET", path="/api/1/me/datasets/", what="find the dataset by its extra"))
        steps.append(
            Step(method="POST", path="/api/1/datasets/", what="create the dataset", body=document["dataset"])
        )
    else:
        steps.append(Step(method="GET", path=f"/api/1/datasets/{dataset}/", what="the dataset and its files"))
        steps.append(
            Step(
                method="PUT",
                path=f"/api/1/datasets/{dataset}/",
                what="update the dataset",
                body=document["dataset"],
            )
        )
    target = _target(dataset)
    for upload in document["uploads"]:
        what = "upload" if dataset is None else "upload if its checksum differs"
        steps.append(
            Step(
                method="POST",
                path=f"/api/1/datasets/{target}/upload/",
                what=f"{what} {upload['path']}",
                file=upload["path"],
            )
        )
        steps.append(
            Step(
                method="PUT",
                path=f"/api/1/datasets/{target}/resources/{{rid}}/",
                what=f"describe {upload['path']}",
                body=upload["resource"],
            )
        )
    return Outcome(
        base_url=base,
        dataset=dataset,
        created=dataset is None,
        uploaded=tuple(u["path"] for u in document["uploads"]),
        unchanged=(),
        steps=tuple(steps),
        applied=False,
    )


# -- applying -------------------------------------------------------------------------------------


@attrs.define
class _Session:
    """The portal's API over datagouv-client's session, failing loudly and recording each step."""

    base: str
    session: Any
    done: list[str] = attrs.Factory(list)

    def call(self, method: str, path: str, what: str, **kwargs: Any) -> Any:
        import niquests

        try:
            response = self.session.request(method, f"{self.base}{path}", **kwargs)
        except (niquests.exceptions.ConnectionError, niquests.exceptions.Timeout) as error:
            raise PublishError(
                f"{self.base}: cannot be reached while trying to {what} ({type(error).__name__})",
                sent=tuple(self.done),
            ) from None
        if response.status_code in (401, 403):
            raise PublishError(
                f"{self.base}: the portal refused the API key from ${API_KEY_VARIABLE} "
                f"(HTTP {response.status_code}) while trying to {what}",
                sent=tuple(self.done),
            )
        if response.status_code >= 400:
            raise PublishError(
                f"{self.base}: HTTP {response.status_code} while trying to {what}: {_message(response)}",
                sent=tuple(self.done),
            )
        if method != "GET":
            self.done.append(f"{method} {path} ({what})")
        return response.json() if response.content else None


def _message(response: Any) -> str:
    try:
        body = response.json()
    except ValueError:
        return str(response.text)[:500]
    if isinstance(body, dict):
        return json.dumps(
            {k: body[k] for k in ("message", "errors") if k in body} or body, ensure_ascii=False
        )[:1000]
    return str(body)[:1000]


def _holds(stored: Any, sent: Any) -> bool:
    """Whether the portal's record already holds every value sent (it adds keys of its own)."""
    if isinstance(sent, Mapping):
        return isinstance(stored, Mapping) and all(_holds(stored.get(k), v) for k, v in sent.items())
    return bool(stored == sent)


def _client_session(api_key: str) -> Any:
    try:
        from datagouv import Client
    except ImportError:
        raise MissingDependencyError("publishing (data.gouv.fr's client)", extra="publish") from None
    return Client(api_key=api_key, verbose=False).session


def _find_dataset(api: _Session, dataset: str | None, name: str) -> dict[str, Any] | None:
    if dataset is not None:
        import niquests

        try:
            response = api.session.get(f"{api.base}/api/1/datasets/{dataset}/")
        except (niquests.exceptions.ConnectionError, niquests.exceptions.Timeout) as error:
            raise PublishError(f"{api.base}: cannot be reached ({type(error).__name__})") from None
        if response.status_code == 404:
            return None
        if response.status_code >= 400:
            raise PublishError(f"{api.base}: HTTP {response.status_code} reading dataset {dataset}")
        found: dict[str, Any] = response.json()
        return found
    mine = api.call("GET", "/api/1/me/datasets/", "list the key owner's datasets")
    for candidate in mine or []:
        if (candidate.get("extras") or {}).get(NAME_EXTRA) == name and not candidate.get("deleted"):
            full: dict[str, Any] = api.call("GET", f"/api/1/datasets/{candidate['id']}/", "read the dataset")
            return full
    return None


def publish(
    folder: Path | str,
    *,
    base_url: str = DEFAULT_BASE_URL,
    dataset: str | None = None,
    organization: str | None = None,
    api_key: str | None = None,
    session_factory: Callable[[str], Any] = _client_session,
) -> Outcome:
    """Send ``folder`` to the portal: create or update the dataset, upload the changed files.

    Args:
        folder: an export folder holding ``datagouv.json`` and its files.
        base_url: the portal.
        dataset: the slug or id of an existing dataset to update.
        organization: the id of the organisation owning a dataset created here.
        api_key: the key; default: ``$DATAGOUV_API_KEY``.
        session_factory: builds the HTTP session from the key (datagouv-client's).

    Raises:
        UsageError: no key, or no ``datagouv.json``.
        PublishError: the portal refused a request or could not be reached; the
            error lists what was and was not sent.
    """
    folder = Path(folder)
    document = _load(folder)
    key = api_key if api_key is not None else os.environ.get(API_KEY_VARIABLE)
    if not key:
        raise UsageError(
            f"publishing needs an API key in ${API_KEY_VARIABLE} (data.gouv.fr: your profile, API key)"
        )
    api = _Session(base=base_url.rstrip("/"), session=session_factory(key))
    uploads: list[dict[str, Any]] = document["uploads"]
    pending = [f"upload {u['path']}" for u in uploads]

    allowed = api.call("GET", "/api/1/datasets/extensions/", "read the allowed file extensions")
    refused = sorted({_extension(u["path"]) for u in uploads} - {str(e).lower() for e in allowed or []})
    if refused:
        files = [u["path"] for u in uploads if _extension(u["path"]) in refused]
        raise PublishError(
            f"{api.base}: the portal does not accept files ending in {', '.join('.' + e for e in refused)} "
            f"({', '.join(files[:3])}{' ...' if len(files) > 3 else ''}); export without them "
            "(for Parquet: --format datapackage,datagouv) or ask the portal to allow them",
            not_sent=("the dataset", *pending),
        )

    name = document["dataset"].get("extras", {}).get(NAME_EXTRA, "")
    remote = _find_dataset(api, dataset, name)
    body = dict(document["dataset"])
    steps: list[Step] = []
    try:
        if remote is None:
            if organization is not None:
                body["organization"] = organization
            remote = api.call("POST", "/api/1/datasets/", "create the dataset", json=body)
            steps.append(Step(method="POST", path="/api/1/datasets/", what="create the dataset", body=body))
            created = True
        else:
            path = f"/api/1/datasets/{remote['id']}/"
            remote = api.call("PUT", path, "update the dataset", json=body)
            steps.append(Step(method="PUT", path=path, what="update the dataset", body=body))
            created = False
        assert remote is not None  # noqa: S101 - the portal answers a created dataset
        dataset_id = str(remote["id"])
        by_path = {
            (r.get("extras") or {}).get(PATH_EXTRA): r for r in remote.get("resources", []) if r.get("extras")
        }
        uploaded, unchanged = [], []
        for upload in uploads:
            local = folder / upload["path"]
            existing = by_path.get(upload["path"])
            checksum = (existing or {}).get("checksum") or {}
            if (
                existing is not None
                and checksum.get("type") == "sha1"
                and checksum.get("value") == _sha1(local)
            ):
                unchanged.append(upload["path"])
                rid = str(existing["id"])
                if _holds(existing, upload["resource"]):
                    pending.remove(f"upload {upload['path']}")
                    continue
            else:
                path = (
                    f"/api/1/datasets/{dataset_id}/upload/"
                    if existing is None
                    else f"/api/1/datasets/{dataset_id}/resources/{existing['id']}/upload/"
                )
                with local.open("rb") as handle:
                    sent = api.call(
                        "POST", path, f"upload {upload['path']}", files={"file": (local.name, handle)}
                    )
                steps.append(
                    Step(method="POST", path=path, what=f"upload {upload['path']}", file=upload["path"])
                )
                rid = str(sent["id"])
                uploaded.append(upload["path"])
            path = f"/api/1/datasets/{dataset_id}/resources/{rid}/"
            api.call("PUT", path, f"describe {upload['path']}", json=upload["resource"])
            steps.append(
                Step(method="PUT", path=path, what=f"describe {upload['path']}", body=upload["resource"])
            )
            pending.remove(f"upload {upload['path']}")
    except PublishError as error:
        raise PublishError(
            str(error).split("\nSent:", 1)[0], sent=tuple(api.done), not_sent=tuple(pending)
        ) from None
    return Outcome(
        base_url=api.base,
        dataset=dataset_id,
        created=created,
        uploaded=tuple(uploaded),
        unchanged=tuple(unchanged),
        steps=tuple(steps),
        applied=True,
    )
