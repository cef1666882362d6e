"""A page crawler: every page reachable from a portal's navigation, as one user, in Chinese,
checked for what a Chinese user must never see.

``crawl(client)`` starts at ``/`` and the portal's menu, follows same-site links (GET only, no
API, no downloads) breadth-first, visits at most ``per_shape`` addresses of each shape (ids
replaced: ``/hospital/orders/17`` and ``/hospital/orders/18`` are one shape) and returns the
:class:`Finding` list. A finding is:

- a 5xx answer;
- a raw enum value (``placed``, ``in_force``, ``hospital_behind``) in the visible text;
- English left untranslated (two or more English words in a row in the visible text);
- a number in scientific notation (``1.5E+2``);
- a table of more than ``MAX_TABLE_ROWS`` rows;
- a form field without a label (a ``<label>`` around it or ``for`` it, or ``aria-label``).

Used by ``tests/api/test_page_crawl.py`` on a small demo, and by hand on a full one::

    python -m tests.crawl sqlite:////tmp/demo/demo.db
"""

from __future__ import annotations

import enum
import importlib
import pkgutil
import re
import sys
from collections import Counter, deque
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import procurement

MAX_TABLE_ROWS = 100  # STYLE 11: a list pages at 50; nothing shows more than 100 rows
EXPONENT = re.compile(r"(?<![\w-])\d+(?:\.\d+)?[Ee][+-]?\d+(?![\w-])")  # not inside 408E341780
ENGLISH_RUN = re.compile(r"\b[A-Za-z][a-z]+(?:[ -][A-Za-z][a-z]+)+\b")
SHAPE_ID = re.compile(r"/\d+(?=/|$)")
# Visible English that is right in a Chinese page: names of formats and standards.
ALLOWED_ENGLISH = {"Open Contracting", "Swagger UI"}
UNLABELLED = ("hidden", "submit", "button", "image", "reset")  # inputs that need no label
SKIP_PATHS = ("/api/", "/logout", "/static/", "/bootstrap/")
DOWNLOAD = re.compile(r"\.(csv|xlsx|json|pdf|zip)$|/export")


@dataclass(frozen=True)
class Finding:
    url: str
    what: str
    text: str

    def __str__(self) -> str:
        return f"{self.url}: {self.what}: {self.text!r}"


def enum_values() -> set[str]:
    """Every value of every enum the platform defines (lowercase codes only)."""
    for module in pkgutil.walk_packages(procurement.__path__, "procurement."):
        if module.name.endswith((".models", ".rules")) or ".models." in module.name:
            importlib.import_module(module.name)
    values: set[str] = set()
    for name, module in list(sys.modules.items()):
        if not name.startswith("procurement."):
            continue
        for item in vars(module).values():
            if isinstance(item, type) and issubclass(item, enum.Enum) and item.__module__ == name:
                values |= {
                    str(m.value) for m in item if re.fullmatch(r"[a-z][a-z_]+", str(m.value))
                }
    return values


class _Page(HTMLParser):
    """Visible text, links and table row counts of one HTML page."""

    HIDDEN = frozenset({"script", "style", "template", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.links: list[str] = []
        self.tables: list[int] = []
        self._open_tables: list[int] = []
        self._hidden = 0
        self._hidden_tags: list[str] = []
        self._labels_open = 0
        self.label_for: set[str] = set()
        self.fields: list[tuple[str, bool, str | None]] = []  # (what, labelled there, id)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in self.HIDDEN or attributes.get("translate") == "no":
            self._hidden += 1  # translate="no": a name or code shown as it is (a username)
            self._hidden_tags.append(tag)
        elif tag == "a" and attributes.get("href") and "download" not in attributes:
            self.links.append(attributes["href"])
        elif tag == "table":
            self._open_tables.append(0)
        elif tag == "tr" and self._open_tables:
            self._open_tables[-1] += 1
        elif tag == "input" and attributes.get("type") in ("submit", "button"):
            self.text.append(attributes.get("value") or "")
        if tag == "label":
            self._labels_open += 1
            if attributes.get("for"):
                self.label_for.add(attributes["for"])
        elif tag in ("input", "select", "textarea") and attributes.get("type") not in UNLABELLED:
            named = bool(attributes.get("aria-label") or attributes.get("aria-labelledby"))
            what = f"<{tag} name={attributes.get('name')!r} id={attributes.get('id')!r}>"
            self.fields.append((what, named or self._labels_open > 0, attributes.get("id")))
        if attributes.get("placeholder"):
            self.text.append(attributes["placeholder"])
        if attributes.get("title"):
            self.text.append(attributes["title"])

    def handle_endtag(self, tag):
        if self._hidden_tags and tag == self._hidden_tags[-1]:
            self._hidden_tags.pop()
            self._hidden -= 1
        elif tag == "table" and self._open_tables:
            self.tables.append(self._open_tables.pop())
        elif tag == "label":
            self._labels_open = max(0, self._labels_open - 1)

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.text.append(data.strip())


def check(url: str, html: str, codes: set[str]) -> tuple[list[Finding], list[str]]:
    """The findings on one page and the links it offers."""
    page = _Page()
    page.feed(html)
    found: list[Finding] = []
    for text in page.text:
        for word in re.findall(r"\b[a-z][a-z_]+\b", text):
            if word in codes and not _inside_identifier(text, word):
                found.append(Finding(url, "raw code", text))
        for run in ENGLISH_RUN.findall(text):
            if run not in ALLOWED_ENGLISH:
                found.append(Finding(url, "English", text))
        for number in EXPONENT.findall(text):
            found.append(Finding(url, "exponent", number))
    for what, labelled, ident in page.fields:
        if not labelled and ident not in page.label_for:
            found.append(Finding(url, "input without a label", what))
    for rows in page.tables:
        if rows > MAX_TABLE_ROWS + 1:  # + the heading row
            found.append(Finding(url, "long table", f"{rows} rows"))
    return found, page.links


def _inside_identifier(text: str, word: str) -> bool:
    """``placed`` inside ``PO-placed-1`` or an e-mail is part of a name, not a status."""
    return bool(re.search(rf"[\w.@-]{word}|{word}[\w.@-]", text.replace(" ", "")))


def crawl(client, *, per_shape: int = 2, limit: int = 250) -> tuple[list[Finding], list[str]]:
    """Crawl as the client's logged-in user, in Chinese. Returns (findings, visited)."""
    codes = enum_values()
    queue: deque[str] = deque(["/?lang=zh"])
    seen: set[str] = set()
    shapes: Counter[str] = Counter()
    findings: list[Finding] = []
    visited: list[str] = []
    while queue and len(visited) < limit:
        url = queue.popleft()
        response = client.get(url, follow_redirects=True)
        visited.append(url)
        if response.status_code >= 500:
            findings.append(Finding(url, "server error", str(response.status_code)))
            continue
        if response.mimetype != "text/html":
            continue
        found, links = check(url, response.get_data(as_text=True), codes)
        findings.extend(found)
        for link in links:
            target = _same_site(urljoin(url, link))
            if target is None or target in seen:
                continue
            seen.add(target)
            shape = SHAPE_ID.sub("/N", urlsplit(target).path)
            if shapes[shape] >= per_shape:
                continue
            shapes[shape] += 1
            queue.append(target)
    return findings, visited


def _same_site(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
        return None
    if parts.path.startswith(SKIP_PATHS) or DOWNLOAD.search(parts.path):
        return None
    query = "&".join(p for p in parts.query.split("&") if p and not p.startswith("lang="))
    return parts.path + (f"?{query}" if query else "")


def main(database_url: str) -> int:
    """Crawl a demo database as each demo login; print the findings; exit 1 if any."""
    from procurement import create_app
    from procurement.demo.world import DEMO_PASSWORD

    app = create_app({"ENV": "testing", "DATABASE_URL": database_url, "WTF_CSRF_ENABLED": False})
    total = 0
    for username in (
        "regulator",
        "fund",
        "hospital",
        "hospital2",
        "maker",
        "maker2",
        "distributor",
    ):
        client = app.test_client()
        client.set_cookie("lang", "zh")
        client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
        findings, visited = crawl(client)
        total += len(findings)
        print(f"{username}: {len(visited)} pages, {len(findings)} findings")
        for finding in findings[:40]:
            print(f"  {finding}")
    print(f"findings: {total}")
    return 1 if total else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
