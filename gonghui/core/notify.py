"""Telling people things outside the platform (an SMS, a WeChat template message, ...).

A message is a template name plus a context of short strings, the shape SMS gateways in China require
(each message text is a template approved in advance). Backends are chosen by the
``GONGHUI_NOTIFY_BACKEND`` setting: one dotted path or a list of them, each a class with
``send(*, to_phone, template, context)``. By default every message is logged and, when ``GONGHUI_NOTIFY_DIR`` is
set, appended to ``notifications.jsonl`` there (0600). Settings are read at each send.

A message may carry a tracking or application code, and a code with the phone's last four digits opens the case
on the public tracking page: so neither the log nor the file names any digit of the phone, only a keyed tag of it
(``recipient_tag``: the same phone gives the same tag, the tag gives no digit).

Services call :func:`send_on_commit`, so nobody is told about a write that was rolled back, and a failing
gateway never undoes the write.
"""

import abc
import datetime
import json
import logging
import logging.handlers
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from . import crypto

logger = logging.getLogger("gonghui.notify")

DEFAULT_BACKENDS = ("gonghui.core.notify.ConsoleBackend", "gonghui.core.notify.FileBackend")

# The texts, by template name. A gateway backend maps the same names to its approved template ids.
TEMPLATES = {
    "join.approved": _("Your application %(code)s to join %(union)s has been approved. Welcome to the union!"),
    "join.rejected": _("Your application %(code)s to join %(union)s was not approved. Reason: %(reason)s"),
}


# Context keys whose values are secrets for the recipient alone (a voting code): no log line or file ever holds
# them in clear. The console shows them masked; the file keeps them sealed for the relay that delivers the message.
SECRET_KEYS: set[str] = set()
MASK = "******"


def render(template: str, context: dict) -> str:
    """The message text in the site language (zh-hans)."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(TEMPLATES[template]) % context


def _masked(context: dict) -> dict:
    return {k: (MASK if k in SECRET_KEYS else v) for k, v in context.items()}


def recipient_tag(phone: str) -> str:
    """A short keyed tag of the phone for logs and files: correlates messages, reveals no digit."""
    return "#" + crypto.blind_index(phone, kind="phone")[:10] if phone else ""


class BaseBackend(abc.ABC):
    """A way to reach a worker: SMS gateway, WeChat template message, a log line."""

    @abc.abstractmethod
    def send(self, *, to_phone: str, template: str, context: dict) -> None: ...


class ConsoleBackend(BaseBackend):
    """One log line per message, the phone as its tag (logs are not a place for personal data)."""

    def send(self, *, to_phone: str, template: str, context: dict) -> None:
        logger.info("notify to=%s template=%s text=%s", recipient_tag(to_phone), template,
                    render(template, _masked(context)))


class FileBackend(BaseBackend):
    """Appends a JSON line per message to ``GONGHUI_NOTIFY_DIR/notifications.jsonl`` (off when unset).

    The phone is written as its tag for reading and sealed (encrypted like the database column) for a relay
    that delivers the messages later; so are the context's secrets (``SECRET_KEYS``), masked in the readable
    parts. The file is created 0600 and only ever appended to.
    """

    _lock = threading.Lock()

    def send(self, *, to_phone: str, template: str, context: dict) -> None:
        directory = getattr(settings, "GONGHUI_NOTIFY_DIR", None)
        if not directory:
            return
        path = Path(directory)
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        body = {
            "at": timezone.now().astimezone(datetime.UTC).isoformat(timespec="seconds"),
            "template": template,
            "to": recipient_tag(to_phone),
            "to_sealed": crypto.encrypt(to_phone, kind="phone"),
            "context": _masked(context),
            "text": render(template, _masked(context)),
        }
        secret = {k: v for k, v in context.items() if k in SECRET_KEYS}
        if secret:
            body["secrets_sealed"] = crypto.encrypt(json.dumps(secret, ensure_ascii=False), kind="notify_secret")
        line = json.dumps(body, ensure_ascii=False)
        with self._lock:
            fd = os.open(path / "notifications.jsonl", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.fchmod(fd, 0o600)  # a file made before (or by another tool) is closed to the host's other users
                os.write(fd, (line + "\n").encode())
            finally:
                os.close(fd)


class PrivateFileHandler(logging.handlers.WatchedFileHandler):
    """A log file only its owner can read (0600), reopened after rotation: for ``GONGHUI_LOG_FILE``."""

    def _open(self):
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.fchmod(fd, 0o600)
        return os.fdopen(fd, self.mode, encoding=self.encoding, errors=self.errors)


@dataclass
class Message:
    to_phone: str
    template: str
    context: dict = field(default_factory=dict)
    text: str = ""


outbox: list[Message] = []


class LocmemBackend(BaseBackend):
    """Keeps messages in the module-level ``outbox`` list, for tests."""

    def send(self, *, to_phone: str, template: str, context: dict) -> None:
        outbox.append(Message(to_phone=to_phone, template=template, context=dict(context),
                              text=render(template, context)))


def backends() -> list[BaseBackend]:
    spec = getattr(settings, "GONGHUI_NOTIFY_BACKEND", None) or DEFAULT_BACKENDS
    paths = [spec] if isinstance(spec, str) else list(spec)
    return [import_string(p)() for p in paths]


def send(*, to_phone: str, template: str, context: dict) -> None:
    """Send now through every configured backend. Unknown templates fail loudly, before any backend."""
    if template not in TEMPLATES:
        raise KeyError(f"unknown notification template {template!r}")
    context = {k: str(v) for k, v in context.items()}
    render(template, context)  # a missing context key fails here, not halfway through the backends
    for backend in backends():
        backend.send(to_phone=to_phone, template=template, context=context)


def send_on_commit(*, to_phone: str, template: str, context: dict) -> None:
    """Send once the current transaction commits; a failure is logged, never raised into the request."""
    if not to_phone:
        return

    def _send():
        try:
            send(to_phone=to_phone, template=template, context=context)
        except Exception:
            logger.exception("notify failed template=%s to=%s", template, recipient_tag(to_phone))

    transaction.on_commit(_send)
