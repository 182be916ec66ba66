from django.db import migrations


def install(apps, schema_editor):
    from gonghui.core import audit_sql

    audit_sql.install(schema_editor.connection)


def remove(apps, schema_editor):
    from gonghui.core import audit_sql

    audit_sql.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]
