"""Joins the problems' and the ledger's migrations on the supervision branch (the integrator re-chains them and may
drop this file)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("oversight", "0003_ledger"), ("oversight", "0003_problems")]
    operations = []
