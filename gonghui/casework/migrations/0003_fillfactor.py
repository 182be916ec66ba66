"""Room on each page of the cases table (PostgreSQL): the sweep rewrites many rows' color, and with free space on
the page such an update stays on it and touches no index (a HOT update)."""

from django.db import migrations


def fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE casework_case SET (fillfactor = 85)")


def reset(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE casework_case RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("casework", "0002_default_policy")]
    operations = [migrations.RunPython(fillfactor, reset)]
