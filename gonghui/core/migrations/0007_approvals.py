import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from gonghui.core.migration_ops import path_collation_c


class Migration(migrations.Migration):
    """Maker-checker approvals."""

    dependencies = [
        ("core", "0006_identity"),
        ("orgs", "0003_path_collation_c"),
    ]
    operations = [
        migrations.CreateModel(
            name='Approval',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('uid', models.CharField(max_length=12, unique=True, verbose_name='request code')),
                ('kind', models.CharField(max_length=40, verbose_name='kind')),
                ('org_path', models.CharField(editable=False, max_length=255)),
                ('payload', models.JSONField(blank=True, default=dict, verbose_name='request')),
                ('reason', models.CharField(max_length=200, verbose_name='reason')),
                ('state', models.CharField(choices=[('requested', 'Waiting for approval'), ('approved', 'Approved'), ('rejected', 'Rejected'), ('executed', 'Done'), ('expired', 'Expired'), ('cancelled', 'Cancelled')], default='requested', max_length=12, verbose_name='state')),
                ('decision_note', models.CharField(blank=True, max_length=200, verbose_name='decision note')),
                ('requested_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='requested at')),
                ('expires_at', models.DateTimeField(verbose_name='decide before')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decided at')),
                ('execute_by', models.DateTimeField(blank=True, null=True, verbose_name='use before')),
                ('executed_at', models.DateTimeField(blank=True, null=True, verbose_name='done at')),
                ('closed_at', models.DateTimeField(blank=True, null=True, verbose_name='closed at')),
                ('checker', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='decided by')),
                ('maker', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requested by')),
                ('org', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.org', verbose_name='organization')),
            ],
            options={
                'verbose_name': 'approval request',
                'verbose_name_plural': 'approval requests',
                'indexes': [models.Index(fields=['org_path', 'state'], name='core_approval_path_state')],
                'constraints': [models.CheckConstraint(condition=models.Q(('checker__isnull', True), models.Q(('checker', models.F('maker')), _negated=True), _connector='OR'), name='core_approval_checker_not_maker'), models.CheckConstraint(condition=models.Q(models.Q(('state__in', ('approved', 'rejected', 'executed')), _negated=True), models.Q(('checker__isnull', False), ('decided_at__isnull', False)), _connector='OR'), name='core_approval_decided_has_checker'), models.CheckConstraint(condition=models.Q(models.Q(('state', 'executed'), _negated=True), ('executed_at__isnull', False), _connector='OR'), name='core_approval_executed_has_time')],
            },
        ),
        # A subtree's requests are a prefix range on org_path (see 0005).
        path_collation_c(("core_approval", "org_path", 255)),
    ]
