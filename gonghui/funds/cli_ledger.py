"""`gonghui funds ledger import`: see the command's docstring (gonghui/funds/management/commands/funds.py)."""

from django.core.management.base import CommandError


def handle_import(command, **options) -> None:
    raise CommandError("not built yet", returncode=2)
