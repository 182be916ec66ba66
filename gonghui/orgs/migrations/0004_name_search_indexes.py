from django.db import migrations, models


def trigram_index(apps, schema_editor):
    # Part of a name ("第一中学") is a LIKE '%…%': on PostgreSQL a pg_trgm GIN index answers it without scanning
    # the subtree. SQLite serves one small union and needs none.
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute("CREATE INDEX IF NOT EXISTS orgs_org_name_trgm ON orgs_org USING gin (name gin_trgm_ops)")


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS orgs_org_name_trgm")


class Migration(migrations.Migration):

    dependencies = [
        ("orgs", "0003_path_collation_c"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="org",
            index=models.Index(fields=["name"], name="orgs_org_name"),
        ),
        migrations.RunPython(trigram_index, drop_trigram_index),
    ]
