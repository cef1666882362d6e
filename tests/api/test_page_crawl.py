"""Every page reachable from each portal's navigation, as each demo login, in Chinese: no 5xx,
no raw code, no untranslated English, no number in exponent notation, no table over 100 rows
(``tests/crawl.py``). The demo is built small (scale 0.1) on its own database, up to a fixed
day in the middle of its contract year."""

from __future__ import annotations

from datetime import date

import pytest

from procurement import create_app
from procurement.bidding.seal import Sealer
from procurement.db import make_session_factory
from procurement.demo.runner import prepare_database, run_demo
from procurement.demo.world import DEMO_PASSWORD
from tests.crawl import crawl

SEAL_KEY = "q1Yx3u3sR0n2mV7Q0bq0vS5yq2o0e3mJmR7qK9m2Z8U="
TODAY = date(2026, 12, 2)
LOGINS = ("regulator", "fund", "hospital", "hospital2", "maker", "maker2", "distributor")


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    engine = prepare_database(
        f"sqlite:///{tmp_path_factory.mktemp('crawl') / 'demo.db'}", fresh=True
    )
    result = run_demo(
        engine, seed=7, scale=0.1, today=TODAY, sealer=Sealer([SEAL_KEY]), progress=lambda _: None
    )
    from procurement.core.clock import FrozenClock

    app = create_app(
        {
            "ENV": "testing",
            "DATABASE_URL": "sqlite://",
            "WTF_CSRF_ENABLED": False,
            "BID_SEAL_KEYS": [SEAL_KEY],
        },
        clock=FrozenClock(result.world.now),
        session_factory=make_session_factory(engine),
    )
    yield app
    engine.dispose()


@pytest.mark.parametrize("username", LOGINS)
def test_every_page_a_demo_login_can_reach_reads_as_chinese(demo_app, username):
    client = demo_app.test_client()
    client.set_cookie("lang", "zh")
    login = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
    assert login.status_code == 302
    findings, visited = crawl(client)
    assert len(visited) >= 3, visited  # the portal's home and its menu at least
    assert not findings, "\n".join(map(str, findings[:30]))
