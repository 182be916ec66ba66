"""On PostgreSQL, leave room in the measures' pages (fillfactor 85) so the tick's marks of a sent reminder
(``reminded_before`` / ``reminded_overdue``, in no index) are heap-only updates that touch none of the table's
indexes. New and rewritten pages only; nothing to do on SQLite."""

from django.db import migrations


def fillfactor(value: int):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cur:
                cur.execute(f"ALTER TABLE oversight_measure SET (fillfactor = {int(value)})")
    return apply


class Migration(migrations.Migration):
    dependencies = [("oversight", "0008_owner_year_rows")]
    operations = [migrations.RunPython(fillfactor(85), fillfactor(100))]
