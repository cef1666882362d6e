"""The official OCDS validator (libcoveocds, the library behind the Data Review Tool), offline.

libcoveocds reads the standard from a ZIP of its repository (``standard_zip``: here a ZIP built
from tests/data/ocds-1.1.5, the files of tag 1__1__5) and fetches each extension a package names
with ``ocdsextensionregistry``'s requests session: for an extension on GitHub, the ZIP of its
repository at the tag (``.../archive/v1.1.5.zip``). For a record package, jsonref also loads the
versioned release schema the record package schema refers to by URL. Both get a transport
adapter that answers the bid extension's ZIP from tests/data/ocds_bid_extension-v1.1.5 and the
standard's schema URLs from tests/data/ocds-1.1.5, and refuses every other URL: validation never
touches the network, and an extension it could not read shows in the report's
``invalid_extensions`` (the tests assert there is none)."""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jsonref
import requests
import simplejson
from libcoveocds.api import ocds_json_output
from libcoveocds.config import LibCoveOCDSConfig
from ocdsextensionregistry import util as registry_util
from requests.adapters import BaseAdapter

DATA = Path(__file__).resolve().parent / "data"
STANDARD = DATA / "ocds-1.1.5"
SCHEMA_URL = "https://standard.open-contracting.org/schema/1__1__5/"
# The URL ocdsextensionregistry downloads BID_EXTENSION from, and the local copy.
LOCAL_ZIPS = {
    "https://github.com/open-contracting-extensions/ocds_bid_extension/archive/v1.1.5.zip": (
        DATA / "ocds_bid_extension-v1.1.5"
    )
}


def zipped(folder: Path, root: str, under: str = "") -> bytes:
    """``folder``'s files as a repository ZIP: ``<root>/<under><path>``, root entry first."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(f"{root}/", "")
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, f"{root}/{under}{path.relative_to(folder).as_posix()}")
    return out.getvalue()


def standard_zip() -> bytes:
    """The standard's files laid out as its repository's ZIP (``<root>/schema/...``)."""
    return zipped(STANDARD, "standard-1__1__5", "schema/")


class LocalCopies(BaseAdapter):
    """Serves the extension's ZIP and the standard's schema files from tests/data; any other
    URL is an error."""

    def send(self, request, **_kwargs):
        folder, path = LOCAL_ZIPS.get(request.url), None
        if folder is None and request.url.startswith(SCHEMA_URL):
            path = STANDARD / request.url.removeprefix(SCHEMA_URL)
        if folder is None and (path is None or not path.is_file()):
            raise requests.ConnectionError(f"offline: no local copy of {request.url}")
        response = requests.Response()
        response.url, response.request, response.status_code = request.url, request, 200
        response._content = zipped(folder, "repo") if folder else path.read_bytes()
        return response

    def close(self):
        pass


@contextmanager
def offline():
    """ocdsextensionregistry's session, and the one jsonref loads a record package schema's
    remote ``$ref`` (the versioned release schema) with, answered from the local copies."""
    session, local = registry_util.session, requests.Session()
    saved, saved_jsonref = dict(session.adapters), jsonref.requests
    for scheme in ("https://", "http://"):
        session.mount(scheme, LocalCopies())
        local.mount(scheme, LocalCopies())
    jsonref.requests = local
    try:
        with session.cache_disabled():
            yield
    finally:
        session.adapters.clear()
        session.adapters.update(saved)
        jsonref.requests = saved_jsonref


def validate(package: dict[str, Any] | str) -> dict[str, Any]:
    """libcoveocds' report on ``package``: a response's JSON text, or a package as built (its
    Decimals written as the API writes them, then read back as a client reads them)."""
    text = package if isinstance(package, str) else simplejson.dumps(package, use_decimal=True)
    data = json.loads(text)
    config = LibCoveOCDSConfig({"standard_zip": standard_zip(), "context": "api"})
    with offline(), tempfile.TemporaryDirectory() as scratch:
        # ocds_json_output writes the extended schema into its output folder
        return ocds_json_output(scratch, json_data=data, lib_cove_ocds_config=config)
