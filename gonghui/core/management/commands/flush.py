"""`flush` that lifts the audit table's append-only triggers, only where settings allow it (tests, demo)."""

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections

from gonghui.core import audit_sql


class Command(FlushCommand):
    def handle(self, **options):
        if not getattr(settings, "GONGHUI_DEMO_ALLOWED", False):
            raise CommandError("flush would erase the audit trail; it is refused outside tests and the demo")
        connection = connections[options["database"]]
        audit_sql.remove(connection)
        try:
            return super().handle(**options)
        finally:
            audit_sql.install(connection)
