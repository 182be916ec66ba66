"""Password rules for staff accounts beyond Django's own (length, common passwords): GB/T 22239 level 3 asks for
passwords that mix character classes and do not repeat the account name. Listed in AUTH_PASSWORD_VALIDATORS."""

import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASSES = (
    ("lower", lambda c: c in string.ascii_lowercase),
    ("upper", lambda c: c in string.ascii_uppercase),
    ("digit", lambda c: c.isdigit()),
    # Anything else (punctuation, spaces, Chinese characters) counts as a symbol.
    ("symbol", lambda c: not c.isalnum() or not c.isascii()),
)


def character_classes(password: str) -> set[str]:
    return {name for name, test in CLASSES if any(test(c) for c in password)}


class CharacterClassesValidator:
    """At least ``min_classes`` of: lower-case letters, capital letters, digits, symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        if len(character_classes(password)) < self.min_classes:
            raise ValidationError(
                _("The password must mix at least %(n)d of: lower-case letters, capital letters, digits, symbols."),
                code="password_too_few_classes", params={"n": self.min_classes})

    def get_help_text(self):
        return _("Use at least %(n)d of: lower-case letters, capital letters, digits, symbols.") % {
            "n": self.min_classes}


class UsernameNotInPasswordValidator:
    """The password must not contain the account's username, in any letter case."""

    def validate(self, password, user=None):
        username = (getattr(user, "username", "") or "").strip().casefold()
        if username and username in password.casefold():
            raise ValidationError(_("The password must not contain the username."), code="password_has_username")

    def get_help_text(self):
        return _("The password must not contain your username.")
