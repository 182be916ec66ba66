from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("funds", "0005_path_collation_c")]
    operations = [
        # The incremental scan looks up a new line's neighbours by index: the lines of the same union, account and
        # counterparty (split purchases), of the same union and account (budget totals, holiday gifts).
        migrations.RunSQL(
            "CREATE INDEX funds_line_expense_key ON funds_voucherline (org_path, account_id, counterparty, date) "
            "WHERE kind = 'expense' AND voided = false AND debit > 0",
            "DROP INDEX funds_line_expense_key",
        ),
    ]
