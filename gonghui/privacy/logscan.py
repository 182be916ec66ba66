"""For the test suite: collect every log record and every requested URL of the whole run, and fail the run when one
holds an ID or mobile number in clear (``gonghui/conftest.py`` wires it to pytest's session hooks).

Log records are caught on the root logger and on every logger that does not pass its records up
(``django.server`` among them); URLs through Django's ``request_started`` signal, so the test client's requests
and the live server's are both seen, with their query strings decoded.
"""

import logging
import threading
from urllib.parse import unquote_plus

from . import scan


class Collector(logging.Handler):
    """Scans each record as it is emitted; keeps the count and, for each offending record, a masked description."""

    def __init__(self):
        super().__init__(level=logging.NOTSET)
        self.records = 0
        self.urls = 0
        self.findings: list[str] = []
        self._url_lock = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        self.records += 1
        try:
            text = record.getMessage()
        except Exception:  # a malformed record still gets its template and arguments scanned
            text = f"{record.msg} {record.args}"
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            text += "\n" + record.exc_text
        found = scan.find(text)
        if found:
            where = f"{record.pathname}:{record.lineno}"
            self.findings.append(f"log record {record.name} {record.levelname} at {where}: "
                                 + ", ".join(str(f) for f in found))

    def see_url(self, path: str, query: str = "") -> None:
        url = unquote_plus(path) + ("?" + unquote_plus(query) if query else "")
        with self._url_lock:
            self.urls += 1
            found = scan.find(url)
            if found:
                self.findings.append(f"URL {scan.ID_NUMBER.sub('<ID>', scan.MOBILE.sub('<MOBILE>', url))}: "
                                     + ", ".join(str(f) for f in found))


def attach(collector: Collector) -> None:
    """Put the collector on the root logger and on every logger that keeps its records to itself."""
    loggers = [logging.getLogger()]
    loggers += [lg for lg in logging.Logger.manager.loggerDict.values()
                if isinstance(lg, logging.Logger) and not lg.propagate]
    loggers.append(logging.getLogger("django.server"))
    for lg in loggers:
        if collector not in lg.handlers:
            lg.addHandler(collector)


def watch_requests(collector: Collector) -> None:
    from django.core.signals import request_started

    def _seen(sender, environ=None, scope=None, **kwargs):
        if environ is not None:
            collector.see_url(environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""))
        elif scope is not None:
            collector.see_url(scope.get("path", ""), (scope.get("query_string") or b"").decode("latin-1"))

    request_started.connect(_seen, weak=False, dispatch_uid="gonghui.privacy.logscan")


def report(collector: Collector) -> str:
    lines = [f"Personal data in clear in {len(collector.findings)} log record(s) or URL(s) of this test run "
             f"({collector.records} records, {collector.urls} requests seen):"]
    lines += [f"  {f}" for f in collector.findings[:50]]
    return "\n".join(lines)


# The one collector of the test session.
SESSION = Collector()
