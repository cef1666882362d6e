"""Browser journeys: a real app on a live server, driven by headless Chromium (Playwright).

Every test in ``tests/e2e`` is marked ``e2e`` automatically and runs in the normal suite
(``python -m pytest``). Without ``/usr/bin/chromium`` the tests FAIL with a message saying how
to install it; they never skip, so CI cannot pass without its browser stage.

Fixtures (session-scoped unless noted):

``live_clock``
    The :class:`~procurement.core.clock.FrozenClock` the live app reads, starting at
    ``START`` (2026-01-05 09:00 UTC). Move it with ``live_clock.advance(days=3)`` or
    ``live_clock.set(dt)``; it is put back to ``START`` after every test.
``live_db``
    The live server's ``sessionmaker`` (a fresh SQLite file built by the real migrations).
    Seed data through the services, with the live clock::

        with live_db() as session:
            org = services.create_org(session, code="REG1", name="Shanghai VBP office",
                                      kind="regulator", region_code="310000",
                                      now=live_clock.now())

    The database is shared by all e2e tests of the session: use unique codes and usernames
    (``live_user`` does).
``live_server``
    ``LiveServer(url, app, clock, session_factory)``; ``live_server.url`` is the base URL
    (``http://127.0.0.1:<port>``). CSRF is ON (real forms must send their token), the clock is
    ``live_clock``, and any 500 raised while serving a test fails that test.
``live_user`` (function)
    ``live_user(kind="regulator", role="staff", region_code="310000", display_name=None)``
    creates an organization and a user in the live database and returns a ``LiveUser``
    (``username``, ``password``, ``display_name``, ``org_code``, ``org_name``, ``user_id``).
``browser``
    A Playwright Chromium (headless ``/usr/bin/chromium``).
``page`` (function)
    A fresh browser context (own cookies) with ``base_url=live_server.url`` and Chinese as the
    browser language, so ``page.goto("/login")`` works. A Content-Security-Policy violation
    reported on the browser console fails the test.
``log_in`` (function)
    ``log_in(page, user)`` fills the real login form and waits for the redirect.
``screenshot`` (function)
    ``screenshot(page, "regulator-home")`` saves ``<repo>/screenshots/regulator-home.png``
    (full page) and returns its path. The folder is gitignored.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Table
from werkzeug.serving import make_server

import procurement.models  # noqa: F401  (fills Base.metadata)
from procurement import create_app
from procurement.auth import services as auth_services
from procurement.bidding.seal import Sealer
from procurement.core.clock import FrozenClock, SystemClock, business_date
from procurement.db import Base, make_engine, make_session_factory
from procurement.demo.runner import prepare_database, run_demo
from procurement.demo.world import DEMO_PASSWORD
from procurement.migrate import upgrade

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "screenshots"
PASSWORD = "e2e password 1234"
SEAL_KEY = "q1Yx3u3sR0n2mV7Q0bq0vS5yq2o0e3mJmR7qK9m2Z8U="
E2E_DIR = Path(__file__).resolve().parent

_seq = itertools.count(1)


def _table_of(diff) -> str:
    """The table an Alembic difference is about (tables, indexes, constraints, columns)."""
    op = diff[0] if isinstance(diff, list) else diff
    if op[0].startswith("modify_"):  # (op, schema, table, column, ...)
        return str(op[2])
    if op[0].endswith("_column"):  # (op, schema, table, column)
        return str(op[2])
    target = op[1]
    table = target if isinstance(target, Table) else getattr(target, "table", None)
    return str(getattr(table, "name", target))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if E2E_DIR in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.e2e)


class _ErrorLog(logging.Handler):
    """Collects errors the app logs while serving (its 500 handler logs every one)."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class LiveServer:
    url: str
    app: object
    clock: FrozenClock
    session_factory: Callable
    errors: _ErrorLog = field(default_factory=_ErrorLog)


@dataclass(frozen=True)
class LiveUser:
    user_id: int
    username: str
    password: str
    display_name: str
    org_code: str
    org_name: str


@pytest.fixture(scope="session")
def live_clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture(scope="session")
def live_db(tmp_path_factory):
    """The live server's session factory, on a fresh SQLite file migrated to head."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('live') / 'live.db'}")
    upgrade(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        lagging = sorted({_table_of(diff) for diff in compare_metadata(context, Base.metadata)})
    if lagging:
        engine.dispose()
        pytest.fail(
            "the live server's database is built by the migrations, and they lag the models "
            f"(tables {', '.join(lagging)}); regenerate the revision with "
            "`procurement db revision -m ...` (tests/test_migrations.py says the same)"
        )
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_db, live_clock) -> Iterator[LiveServer]:
    app = create_app(
        {
            "ENV": "testing",
            "TESTING": False,  # serve like production: unexpected errors become 500 pages
            "WTF_CSRF_ENABLED": True,
            "DATABASE_URL": "sqlite://",  # unused: the session factory is injected
            "BID_SEAL_KEYS": [SEAL_KEY],
        },
        clock=live_clock,
        session_factory=live_db,
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    live = LiveServer(f"http://127.0.0.1:{server.server_port}", app, live_clock, live_db)
    logging.getLogger("procurement").addHandler(live.errors)
    yield live
    logging.getLogger("procurement").removeHandler(live.errors)
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(autouse=True)
def _live_test_hygiene(request):
    """After each e2e test: fail on server errors, and put the live clock back to START."""
    if "live_server" not in request.fixturenames:
        yield
        return
    live: LiveServer = request.getfixturevalue("live_server")
    live.errors.records.clear()
    yield
    live.clock.set(START)
    errors = [f"{r.getMessage()}\n{r.exc_text or ''}" for r in live.errors.records]
    live.errors.records.clear()
    if errors:
        pytest.fail("the live server failed while serving this test:\n" + "\n".join(errors))


@pytest.fixture
def live_user(live_db, live_clock) -> Callable[..., LiveUser]:
    def make(
        kind: str = "regulator",
        *,
        role: str = "staff",
        region_code: str = "310000",
        display_name: str | None = None,
    ) -> LiveUser:
        n = next(_seq)
        code, org_name = f"E2E-{kind[:3].upper()}-{n:03d}", f"E2E {kind} {n}"
        with live_db() as session:
            auth_services.create_org(
                session,
                code=code,
                name=org_name,
                kind=kind,
                region_code=region_code,
                now=live_clock.now(),
            )
            user = auth_services.create_user(
                session,
                org_code=code,
                username=f"e2e-{kind}-{n}",
                password=PASSWORD,
                role=role,
                display_name=display_name or f"E2E {kind.title()} User {n}",
                now=live_clock.now(),
            )
            return LiveUser(user.id, user.username, PASSWORD, user.display_name, code, org_name)

    return make


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing, so the browser journeys cannot run. Install it with "
            "`apt-get install -y chromium chromium-driver` (or run `bash .ci/run`, which does)."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    # A Content-Security-Policy violation (inline script or style, a foreign source) breaks a
    # page silently in production: Chromium reports it on the console, and the test fails.
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()
    if violations:
        pytest.fail("the page broke its Content-Security-Policy:\n" + "\n".join(violations))


@pytest.fixture
def log_in() -> Callable:
    def do(page, user: LiveUser) -> None:
        page.goto("/login")
        form = page.get_by_test_id("login-form")
        form.locator("input[name=username]").fill(user.username)
        form.locator("input[name=password]").fill(user.password)
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        assert "/login" not in page.url, f"login failed for {user.username}"

    return do


@pytest.fixture
def screenshot() -> Callable[..., Path]:
    def save(page, name: str) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


# The demo world (tiny scale), shared by the modules that walk it (test_demo_portals_browser,
# test_portal_screens_browser): built once up to today, on its own database and live server.
DEMO_SEAL_KEY = "q1Yx3u3sR0n2mV7Q0bq0vS5yq2o0e3mJmR7qK9m2Z8U="


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """The demo world, built up to today (the real date in China), served live on a clock that
    starts at the real time; ``demo.clock`` can be moved, ``demo.end`` is where it started."""
    engine = prepare_database(
        f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}", fresh=True
    )
    now = SystemClock().now()
    result = run_demo(
        engine,
        seed=5,
        scale=0.1,
        today=business_date(now),
        sealer=Sealer([DEMO_SEAL_KEY]),
        progress=lambda _: None,
    )
    world, factory = result.world, make_session_factory(engine)
    clock = FrozenClock(now)
    app = create_app(
        {
            "ENV": "testing",
            "TESTING": False,
            "WTF_CSRF_ENABLED": True,
            "DATABASE_URL": "sqlite://",
            "BID_SEAL_KEYS": [DEMO_SEAL_KEY],
        },
        clock=clock,
        session_factory=factory,
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield SimpleNamespace(
        url=f"http://127.0.0.1:{server.server_port}",
        clock=clock,
        factory=factory,
        world=world,
        end=now,
    )
    server.shutdown()
    thread.join(timeout=10)
    engine.dispose()


@pytest.fixture
def portal(browser, demo):
    """``portal(username)``: a logged-in page of a demo login; fails the test on any 5xx."""
    contexts, failures = [], []

    def open_as(username: str):
        context = browser.new_context(base_url=demo.url, locale="zh-CN")
        context.set_default_timeout(20_000)
        contexts.append(context)
        page = context.new_page()
        page.on("response", lambda r: failures.append(r.url) if r.status >= 500 else None)
        page.goto("/login")
        form = page.get_by_test_id("login-form")
        form.locator("input[name=username]").fill(username)
        form.locator("input[name=password]").fill(DEMO_PASSWORD)
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        assert "/login" not in page.url, f"the demo login {username} failed"
        return page

    yield open_as
    for context in contexts:
        context.close()
    demo.clock.set(demo.end)
    assert not failures, f"server errors: {failures}"
