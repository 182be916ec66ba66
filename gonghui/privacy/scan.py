"""Finding ID numbers and mainland mobile numbers written in clear: in database columns, log lines and URLs.

A match must stand on its own: neither letters nor digits touch it, so hex hashes, base64 ciphertext, card
numbers (16 digits) and timestamps are not taken for one. A resident ID is 18 characters (15 for the old
cards) with a plausible birth date; a mobile number is 11 digits starting 13-19, alone or written 3-4-4.
Masked values (``110***********1234``, ``136****5678``) do not match.
"""

import re
from dataclasses import dataclass

_EDGE_L = r"(?<![0-9A-Za-z])"
_EDGE_R = r"(?![0-9A-Za-z])"
_DATE8 = r"(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
_DATE6 = r"\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"

ID_NUMBER = re.compile(_EDGE_L + r"[1-9]\d{5}(?:" + _DATE8 + r"\d{3}[0-9Xx]|" + _DATE6 + r"\d{3})" + _EDGE_R)
MOBILE = re.compile(_EDGE_L + r"(?:\+?86[- ]?)?1[3-9]\d(?:\d{8}|-\d{4}-\d{4}| \d{4} \d{4})" + _EDGE_R)


@dataclass(frozen=True)
class Finding:
    kind: str  # "id_number" or "mobile"
    masked: str  # the match with its middle hidden, safe to print

    def __str__(self):
        return f"{self.kind} {self.masked}"


def _mask(value: str) -> str:
    return value[:3] + "*" * max(0, len(value) - 7) + value[-4:]


def find(text: object) -> list[Finding]:
    """Every ID or mobile number written in clear in ``text``."""
    if text is None:
        return []
    if isinstance(text, bytes | memoryview):
        text = bytes(text).decode("utf-8", errors="replace")
    text = str(text)
    out = [Finding("id_number", _mask(m.group(0))) for m in ID_NUMBER.finditer(text)]
    out += [Finding("mobile", _mask(m.group(0))) for m in MOBILE.finditer(text)]
    return out


def mask_all(text: str) -> str:
    """``text`` with every ID and mobile number in it masked."""
    text = ID_NUMBER.sub(lambda m: _mask(m.group(0)), text)
    return MOBILE.sub(lambda m: _mask(m.group(0)), text)
