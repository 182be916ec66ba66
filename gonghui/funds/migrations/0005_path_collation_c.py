from django.db import migrations

from gonghui.core.migration_ops import path_collation_c

# Every org path copied onto a funds row, so that a subtree is an index range on PostgreSQL (a LIKE 'prefix%' under a
# locale collation reads the whole table).
PATHS = [
    ("funds_book", "org_path"), ("funds_voucher", "org_path"), ("funds_voucherline", "org_path"),
    ("funds_decision", "org_path"), ("funds_budget", "org_path"), ("funds_supplier", "org_path"),
    ("funds_finalaccount", "org_path"), ("funds_audit", "org_path"), ("funds_auditfinding", "org_path"),
    ("funds_disclosure", "org_path"), ("funds_duesmonth", "union_path"), ("funds_allocation", "union_path"),
    ("funds_sharetable", "org_path"), ("funds_fundreturn", "payer_path"), ("funds_fundreturn", "union_path"),
    ("funds_returnalert", "org_path"), ("funds_rulesettings", "org_path"), ("funds_holidaygiftcap", "org_path"),
    ("funds_customrule", "org_path"), ("funds_alert", "org_path"),
]


class Migration(migrations.Migration):
    dependencies = [("funds", "0004_rules_alerts")]
    operations = [path_collation_c(*[(table, column, 255) for table, column in PATHS])]
