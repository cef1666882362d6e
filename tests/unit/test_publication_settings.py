"""The platform's public address and what published data links with it (settings): problem
types, the OCDS publisher, its publication policy; and no example.org left outside tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from procurement.settings import SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[2]


def settings(**overrides):
    return load_settings({"ENV": "development", **overrides}, environ={})


def test_links_default_to_the_public_base_url():
    config = settings(PUBLIC_BASE_URL="https://vbp.example.cn/")
    assert config["PUBLIC_BASE_URL"] == "https://vbp.example.cn"
    assert config["PROBLEM_TYPE_BASE"] == "https://vbp.example.cn/problems/"
    assert config["OCDS_PUBLISHER_URI"] == "https://vbp.example.cn"
    assert config["OCDS_PUBLICATION_POLICY"] == "https://vbp.example.cn/public/results"


def test_the_default_base_url_is_where_procurement_run_listens():
    config = settings()
    assert config["PUBLIC_BASE_URL"] == "http://127.0.0.1:5000"
    assert config["PROBLEM_TYPE_BASE"] == "http://127.0.0.1:5000/problems/"
    assert config["OCDS_OCID_PREFIX"] == "ocds-vbp001"


def test_links_set_explicitly_are_kept():
    config = settings(
        PROBLEM_TYPE_BASE="https://docs.example.cn/problems/",
        OCDS_PUBLISHER_URI="https://www.example.cn",
        OCDS_PUBLICATION_POLICY="https://www.example.cn/policy",
    )
    assert config["PROBLEM_TYPE_BASE"] == "https://docs.example.cn/problems/"
    assert config["OCDS_PUBLISHER_URI"] == "https://www.example.cn"
    assert config["OCDS_PUBLICATION_POLICY"] == "https://www.example.cn/policy"


@pytest.mark.parametrize(
    "url", ["", "vbp.example.cn", "ftp://vbp.example.cn", "https://vbp.example.cn/?a=1", "https://"]
)
def test_a_base_url_that_is_no_web_address_stops_the_start(url):
    with pytest.raises(SettingsError, match="PUBLIC_BASE_URL"):
        settings(PUBLIC_BASE_URL=url)


@pytest.mark.parametrize("prefix", ["ocds-12345", "OCDS-abcdef", "ocds-abcdefg", "vbp001", 7])
def test_an_ocid_prefix_not_as_registered_stops_the_start(prefix):
    with pytest.raises(SettingsError, match="OCDS_OCID_PREFIX"):
        settings(OCDS_OCID_PREFIX=prefix)


def test_no_example_org_outside_the_tests():
    files = [
        *sorted((ROOT / "procurement").rglob("*.py")),
        *sorted((ROOT / "procurement").rglob("*.html")),
        *sorted((ROOT / "config").glob("*.toml")),
    ]
    found = [
        str(path.relative_to(ROOT))
        for path in files
        if path.name != "testing.toml" and "example.org" in path.read_text(encoding="utf-8")
    ]
    assert found == []
    assert len(files) > 100
