from django.db import migrations

from gonghui.core.migration_ops import path_collation_c


class Migration(migrations.Migration):
    dependencies = [("orgs", "0002_kind_label")]
    operations = [path_collation_c(("orgs_org", "path", 255))]
