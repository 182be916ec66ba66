from django.db import migrations


def install(apps, schema_editor):
    from gonghui.funds.rules import totals

    totals.install(schema_editor.connection)


def remove(apps, schema_editor):
    from gonghui.funds.rules import totals

    totals.remove(schema_editor.connection)


class Migration(migrations.Migration):
    # The expense totals by (union, account, year) that the rule engine's PostgreSQL path reads for over_budget and
    # unbudgeted, kept by statement triggers on the lines (gonghui/funds/rules/totals.py); nothing on SQLite.
    dependencies = [("funds", "0006_scan_expense_key")]
    operations = [migrations.RunPython(install, remove)]
