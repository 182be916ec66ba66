"""`gonghui funds scan`: see the command's docstring (gonghui/funds/management/commands/funds.py)."""

from django.core.management.base import CommandError


def handle_scan(command, **options) -> None:
    raise CommandError("not built yet", returncode=2)
