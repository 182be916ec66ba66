from django.db import migrations

from gonghui.core.migration_ops import path_collation_c


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial")]
    operations = [path_collation_c(
        ("members_membership", "org_path", 255), ("members_joinapplication", "org_path", 255),
        ("members_servicecard", "org_path", 255), ("members_transfer", "from_path", 255),
        ("members_transfer", "to_path", 255),
    )]
