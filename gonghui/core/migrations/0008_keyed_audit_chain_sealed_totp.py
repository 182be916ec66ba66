"""Key the audit chain (HMAC under GONGHUI_AUDIT_KEYS), seal the authenticator secrets (data keys) and keep
only a keyed hash of each recovery code.

An existing chain is first checked with the old unkeyed hash, then re-keyed in place (the append-only triggers are
lifted for that alone); an ``audit.rekey`` event records the old head, which older backup manifests name. TOTP
secrets are encrypted like the other personal data. None of the steps can be undone: the reverse leaves the data as is.
"""

from django.db import migrations, models


def rekey_audit_chain(apps, schema_editor):
    from gonghui.core import audit_sql
    from gonghui.core.audit import rekey_legacy

    rekey_legacy(apps.get_model("core", "AuditEvent"), schema_editor.connection)
    audit_sql.install(schema_editor.connection)  # SQLite rebuilt the table to add the column, without its triggers


def seal_totp_keys(apps, schema_editor):
    from gonghui.core.models import Authenticator

    device_model = apps.get_model("otp_totp", "TOTPDevice")
    for device in device_model.objects.using(schema_editor.connection.alias).exclude(key__startswith="v1$"):
        device.key = Authenticator.seal(device.key)
        device.save(update_fields=["key"])


def hash_recovery_codes(apps, schema_editor):
    import re

    from gonghui.core.otp import recovery_digest

    token_model = apps.get_model("otp_static", "StaticToken")
    for token in token_model.objects.using(schema_editor.connection.alias).all():
        if not re.fullmatch(r"[0-9a-f]{16}", token.token):
            token.token = recovery_digest(token.token)
            token.save(update_fields=["token"])


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0007_approvals'),
        ('otp_totp', '0003_add_timestamps'),
        ('otp_static', '0003_add_timestamps'),
    ]

    operations = [
        migrations.CreateModel(
            name='Authenticator',
            fields=[
            ],
            options={
                'verbose_name': 'authenticator',
                'proxy': True,
                'indexes': [],
                'constraints': [],
            },
            bases=('otp_totp.totpdevice',),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='key_id',
            field=models.CharField(blank=True, default='', max_length=16, verbose_name='key id'),
        ),
        migrations.RunPython(rekey_audit_chain, migrations.RunPython.noop),
        migrations.RunPython(seal_totp_keys, migrations.RunPython.noop),
        migrations.RunPython(hash_recovery_codes, migrations.RunPython.noop),
    ]
