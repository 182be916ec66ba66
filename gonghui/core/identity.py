"""Identity documents, phone numbers and organization codes: normalization and validation.

Resident ID numbers follow GB 11643-1999 (18 characters, ISO 7064 MOD 11-2 check character, birth date
and sex encoded inside); 15-digit legacy numbers are converted. Unified social credit codes follow
GB 32100-2015 (MOD 31 check character). Messages are for people filling in forms and rosters.
"""

import datetime
import operator
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# The first two digits of a resident ID: provinces, plus 71 Taiwan, 81/82/83 HK/Macau/Taiwan residence permits.
PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 "
    "71 81 82 83 91".split()
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


class DocumentType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident ID card")
    PASSPORT = "passport", _("Passport")
    HK_MACAU_PERMIT = "hk_macau_permit", _("Mainland travel permit for HK and Macau residents")
    TAIWAN_PERMIT = "taiwan_permit", _("Mainland travel permit for Taiwan residents")
    FOREIGN_RESIDENCE = "foreign_residence", _("Foreign permanent resident ID card")


def to_halfwidth(value: str) -> str:
    """Full-width digits and letters (common in rosters typed with a Chinese IME) to ASCII."""
    return unicodedata.normalize("NFKC", value)


def clean_token(value: object) -> str:
    text = str(value or "")
    if text.isascii() and text.isalnum():  # the usual case, which the normalization leaves as it is
        return text.upper()
    return _SPACES.sub("", to_halfwidth(text)).upper()


_SPACES = re.compile(r"\s+")
_ID_ASCII_OFFSET = ord("0") * sum(_ID_WEIGHTS)


def id_check_char(first17: str) -> str:
    if len(first17) == 17 and first17.isascii() and first17.isdigit():  # a roster checks millions of them
        return _ID_CHECK[(sum(map(operator.mul, first17.encode(), _ID_WEIGHTS)) - _ID_ASCII_OFFSET) % 11]
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: datetime.date
    sex: str  # "M" or "F"

    @property
    def region(self) -> str:
        return self.number[:6]


_ID_SCIENTIFIC = re.compile(r"\d+(\.\d+)?E\+?\d+")
_ID_SHAPE = re.compile(r"\d{17}[\dX]")
_LOADED_YEAR = datetime.date.today().year


def parse_resident_id(raw: object, *, today: datetime.date | None = None) -> ResidentId:
    """Normalize and validate a resident ID; raise ValidationError with a message saying what is wrong."""
    value = clean_token(raw)
    if "E" in value and _ID_SCIENTIFIC.fullmatch(value):
        raise ValidationError(
            _("The ID number %(value)s was stored by Excel as a number and lost its last digits; "
              "format the column as text and type it again."),
            code="id_scientific", params={"value": value},
        )
    if len(value) == 15 and value.isdigit():
        first17 = value[:6] + "19" + value[6:]
        value = first17 + id_check_char(first17)
    if len(value) != 18 or not _ID_SHAPE.fullmatch(value):
        if value.isdigit() and 15 < len(value) < 18:
            msg = _("The ID number has %(n)s digits instead of 18; a spreadsheet that stored it as a number "
                    "may have cut it.")
            raise ValidationError(msg, code="id_length", params={"n": len(value)})
        raise ValidationError(_("An ID number has 18 characters: 17 digits and a digit or X."), code="id_shape")
    if value[:2] not in PROVINCE_CODES:
        raise ValidationError(_("The ID number does not start with a valid region code."), code="id_region")
    try:
        birth = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(_("The birth date inside the ID number is not a real date."),
                              code="id_birth") from None
    # A birth year before the one this module was loaded in is never in the future: no clock read.
    future = birth > (today or datetime.date.today()) if today or birth.year >= _LOADED_YEAR else False
    if future or birth.year < 1900:
        raise ValidationError(_("The birth date inside the ID number is not plausible."), code="id_birth")
    if id_check_char(value[:17]) != value[17]:
        raise ValidationError(_("The check digit of the ID number is wrong; please check every digit."),
                              code="id_check")
    return ResidentId(number=value, birth_date=birth, sex="M" if int(value[16]) % 2 else "F")


_DOC_SHAPES = {
    DocumentType.PASSPORT: (r"[A-Z0-9]{5,17}", _("A passport number has 5 to 17 letters or digits.")),
    DocumentType.HK_MACAU_PERMIT: (r"[HM]\d{8}(\d{2})?", _("A HK/Macau permit number is H or M and 8 or 10 digits.")),
    DocumentType.TAIWAN_PERMIT: (r"\d{8}(\d{2})?", _("A Taiwan permit number has 8 or 10 digits.")),
    DocumentType.FOREIGN_RESIDENCE: (r"[A-Z]{3}\d{12}|9\d{17}", _("A foreign permanent resident ID has 15 or 18 "
                                                                    "characters.")),
}


def normalize_document(doc_type: str, raw: object) -> str:
    if doc_type == DocumentType.RESIDENT_ID:
        return parse_resident_id(raw).number
    value = clean_token(raw)
    pattern, message = _DOC_SHAPES[DocumentType(doc_type)]
    if not re.fullmatch(pattern, value):
        raise ValidationError(message, code="document_shape")
    return value


def normalize_mobile(raw: object) -> str:
    value = str(raw or "")
    if len(value) == 11 and value.isascii() and value.isdigit() and value[1] in "3456789" and value[0] == "1":
        return value  # the usual case, which the cleaning below leaves as it is
    value = re.sub(r"[\s\-()（）]", "", to_halfwidth(str(raw or "")))
    value = re.sub(r"^(\+?86|0086)", "", value)
    if not re.fullmatch(r"1[3-9]\d{9}", value):
        raise ValidationError(_("A mobile number has 11 digits and starts with 13 to 19."), code="phone")
    return value


def normalize_phone(raw: object) -> str:
    """A mobile number, or a landline with area code (0xx-xxxxxxx)."""
    text = to_halfwidth(str(raw or "")).strip()
    compact = re.sub(r"[\s()（）]", "", text)
    if re.fullmatch(r"0\d{2,3}-?\d{7,8}(-\d{1,6})?", compact):
        return compact
    return normalize_mobile(text)


# GB 32100-2015: the character set excludes I, O, Z, S, V.
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


def normalize_uscc(raw: object) -> str:
    value = clean_token(raw)
    if len(value) != 18 or any(c not in USCC_CHARS for c in value):
        raise ValidationError(
            _("A unified social credit code has 18 characters (digits and capital letters except I, O, Z, S, V)."),
            code="uscc_shape",
        )
    if not value[2:8].isdigit():
        raise ValidationError(_("Characters 3 to 8 of the credit code are the region code and must be digits."),
                              code="uscc_region")
    if uscc_check_char(value[:17]) != value[17]:
        raise ValidationError(_("The check character of the unified social credit code is wrong."),
                              code="uscc_check")
    return value


def normalize_region_code(raw: object) -> str:
    value = clean_token(raw)
    if not re.fullmatch(r"\d{6}", value) or value[:2] not in PROVINCE_CODES:
        raise ValidationError(_("An administrative region code has 6 digits (GB/T 2260) and starts with a "
                                "province code."), code="region")
    return value


def mask(value: str, *, kind: str) -> str:
    """Masked for display: ID 110***********1234, phone 138****5678, money and text fully hidden."""
    if not value:
        return ""
    if kind == "id_number":
        return value[:3] + "*" * (len(value) - 7) + value[-4:] if len(value) > 7 else "*" * len(value)
    if kind == "phone":
        return value[:3] + "*" * (len(value) - 7) + value[-4:] if len(value) >= 8 else "*" * len(value)
    return "******"


# Free text (a survey's answers, a comment) may carry someone's numbers. Broader than privacy.scan, which must not
# take hashes for numbers: here any run of 15 or 18 digits (the last may be X) is taken for an ID number, and 11
# digits starting with 1 (also written 3-4-4 with spaces or dashes, or after +86) for a mobile number, whatever the
# birth date inside. Full-width digits count too (\d is Unicode).
_ID_IN_TEXT = re.compile(r"(?<!\d)(?:\d{17}[\dXx]|\d{15})(?![\dXx])")
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)(?:\+?86[- ]?)?[1１]\d{2}[- ]?\d{4}[- ]?\d{4}(?!\d)")


def _mask_match(m: re.Match) -> str:
    value = m.group(0)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_numbers(text: str) -> str:
    """``text`` with whatever looks like an ID number or a mobile number masked (110***********1234,
    138****5678); the rest unchanged."""
    if not text:
        return text or ""
    return _MOBILE_IN_TEXT.sub(_mask_match, _ID_IN_TEXT.sub(_mask_match, str(text)))
