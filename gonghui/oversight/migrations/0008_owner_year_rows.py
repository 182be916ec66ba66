"""The owners figure's year rows (``created`` yyyy00), added up from the month rows the services kept."""

from django.db import migrations

FORWARD = """
INSERT INTO oversight_measurestat (unit, owner, created, closed, due, n)
SELECT unit, owner, (created / 100) * 100, 0, 0, SUM(n) FROM oversight_measurestat
WHERE owner > 0 AND created %% 100 <> 0 GROUP BY unit, owner, created / 100
"""
BACKWARD = "DELETE FROM oversight_measurestat WHERE owner > 0 AND created %% 100 = 0"


def run(sql):
    def apply(apps, schema_editor):
        with schema_editor.connection.cursor() as cur:
            cur.execute(sql, [])
    return apply


class Migration(migrations.Migration):
    dependencies = [("oversight", "0007_snail_index")]
    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
