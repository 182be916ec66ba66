"""The number scanner, and the collector that scans every log record and URL of a test run (gonghui/conftest.py)."""

import logging

import pytest

from gonghui.privacy import logscan, scan


@pytest.mark.parametrize(("text", "kinds"), [
    ("330102198803150020", ["id_number"]),
    ("身份证33010219880315002X，", ["id_number"]),
    ("old card 330102880315002", ["id_number"]),
    ("13612345678", ["mobile"]),
    ("call 136-1234-5678 or +86 137 1234 5678", ["mobile", "mobile"]),
    ("张秀英13612345678号", ["mobile"]),
    ("110***********1234 136****5678", []),  # masked
    ("card 3301020000000120", []),  # a 16-digit service card number
    ("hash a13612345678b9", []),  # inside a hex string
    ("at 20261122075701123456 seq 1732262400000", []),  # timestamps
    ("0571-87654321", []),  # a landline is not a mobile
])
def test_scanner_finds_ids_and_mobiles_written_in_clear(text, kinds):
    assert [f.kind for f in scan.find(text)] == kinds


def test_findings_and_masking_never_print_the_number():
    assert str(scan.find("13612345678")[0]) == "mobile 136****5678"
    assert scan.mask_all("张 330102198803150020 / 13612345678") == "张 330***********0020 / 136****5678"


def _record(msg, *args, exc_info=None, name="django.request"):
    return logging.LogRecord(name, logging.WARNING, "/x.py", 7, msg, args, exc_info)


def test_collector_names_the_record_with_a_number():
    c = logscan.Collector()
    c.handle(_record("Not Found: %s", "/members/"))
    c.handle(_record("lookup %s failed", "330102198803150020", name="gonghui.members"))
    try:
        raise ValueError("bad phone 13612345678")
    except ValueError:
        import sys

        c.handle(_record("boom", exc_info=sys.exc_info()))
    assert c.records == 3 and len(c.findings) == 2
    assert c.findings[0].startswith("log record gonghui.members WARNING at /x.py:7: id_number 330***")
    assert "mobile 136****5678" in c.findings[1]
    assert "330102198803150020" not in logscan.report(c) and "13612345678" not in logscan.report(c)


def test_collector_sees_urls_with_their_query_decoded():
    c = logscan.Collector()
    c.see_url("/members/", "q=%2B86+136-1234-5678&page=2")
    c.see_url("/members/p/ABC/", "")
    assert c.urls == 2 and len(c.findings) == 1 and c.findings[0].startswith("URL /members/?q=<MOBILE>&page=2")


def test_the_session_collector_hears_loggers_that_do_not_propagate(client):
    """django.server keeps its records to itself; the collector is on it too, and on the root logger."""
    before = logscan.SESSION.records
    logging.getLogger("django.server").warning("GET /healthz 200")
    logging.getLogger("gonghui.anything").warning("a line")
    assert logscan.SESSION.records == before + 2
    urls = logscan.SESSION.urls
    client.get("/healthz?probe=1")
    assert logscan.SESSION.urls == urls + 1


def test_log_lines_are_written_with_numbers_masked():
    from django.conf import settings

    from gonghui.privacy.logmask import MaskingFormatter

    assert settings.LOGGING["formatters"]["plain"]["()"] == "gonghui.privacy.logmask.MaskingFormatter"
    record = _record("lookup %s by %s", "330102198803150020", "13612345678")
    line = MaskingFormatter("%(name)s %(message)s").format(record)
    assert line == "django.request lookup 330***********0020 by 136****5678"
    assert record.args == ("330102198803150020", "13612345678")  # other handlers (the scan) see the record as is
