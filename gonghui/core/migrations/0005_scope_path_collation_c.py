from django.db import migrations

from gonghui.core.migration_ops import path_collation_c


class Migration(migrations.Migration):
    dependencies = [("core", "0004_importjob")]
    operations = [path_collation_c(("core_auditevent", "scope_path", 255))]
