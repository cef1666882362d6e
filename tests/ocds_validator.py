"""The official OCDS validator (libcoveocds, the library behind the Data Review Tool), offline.

libcoveocds reads the standard from a ZIP of its repository (``standard_zip``: here a ZIP built
from tests/data/ocds-1.1.5, the files of tag 1__1__5) and fetches each extension a package names
with ``ocdsextensionregistry``'s requests session: for an extension on GitHub, the ZIP of its
repository at the tag (``.../archive/v1.1.5.zip``). That session gets a transport adapter which
answers the bid extension's ZIP from tests/data/ocds_bid_extension-v1.1.5 and refuses every
other URL, so validation never touches the network; an extension it could not read shows in
the report's ``invalid_extensions`` (the tests assert there is none)."""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
import simplejson
from libcoveocds.api import ocds_json_output
from libcoveocds.config import LibCoveOCDSConfig
from ocdsextensionregistry import util as registry_util
from requests.adapters import BaseAdapter

DATA = Path(__file__).resolve().parent / "data"
STANDARD = DATA / "ocds-1.1.5"
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


class LocalExtensions(BaseAdapter):
    """Serves the extensions' files from tests/data; any other URL is an error."""

    def send(self, request, **_kwargs):
        folder = LOCAL_ZIPS.get(request.url)
        if folder is None:
            raise requests.ConnectionError(f"offline: no local copy of {request.url}")
        response = requests.Response()
        response.url, response.request, response.status_code = request.url, request, 200
        response._content = zipped(folder, "ocds_bid_extension-1.1.5")
        return response

    def close(self):
        pass


@contextmanager
def offline_registry():
    session = registry_util.session
    saved = dict(session.adapters)
    adapter = LocalExtensions()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    try:
        with session.cache_disabled():
            yield
    finally:
        session.adapters.clear()
        session.adapters.update(saved)


def validate(package: dict[str, Any] | str) -> dict[str, Any]:
    """libcoveocds' report on ``package``: a response's JSON text, or a package as built (its
    Decimals written as the API writes them, then read back as a client reads them)."""
    text = package if isinstance(package, str) else simplejson.dumps(package, use_decimal=True)
    data = json.loads(text)
    config = LibCoveOCDSConfig({"standard_zip": standard_zip(), "context": "api"})
    with offline_registry(), tempfile.TemporaryDirectory() as scratch:
        # ocds_json_output writes the extended schema into its output folder
        return ocds_json_output(scratch, json_data=data, lib_cove_ocds_config=config)
