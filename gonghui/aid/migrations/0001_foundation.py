from django.db import migrations


class Migration(migrations.Migration):
    """The app's first migration: each part's models come in a migration of their own that depends on this one."""

    initial = True

    dependencies = [
        ("orgs", "0004_name_search_indexes"),
    ]

    operations: list = []
