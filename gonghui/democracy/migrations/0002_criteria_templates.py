"""The criteria sets shipped as templates (seed 001's five questions, 德能勤绩廉, 会员评议职工之家), and COLLATE "C" on
the polls' tree paths (PostgreSQL) so a subtree is an index range."""

from django.db import migrations

from gonghui.core.migration_ops import path_collation_c


def add(apps, schema_editor):
    from gonghui.democracy.criteria import ensure_builtin

    ensure_builtin(apps.get_model("democracy", "CriteriaSet"))


def remove(apps, schema_editor):
    apps.get_model("democracy", "CriteriaSet").objects.filter(builtin=True).delete()


class Migration(migrations.Migration):
    dependencies = [("democracy", "0001_polls")]

    operations = [
        migrations.RunPython(add, remove),
        path_collation_c(("democracy_poll", "org_path", 255)),
    ]
