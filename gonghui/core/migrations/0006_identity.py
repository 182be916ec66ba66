from django.db import migrations, models
from django.utils import timezone


def stamp_password_dates(apps, schema_editor):
    """Accounts whose password date is unknown start their password age now (rather than all expiring at once)."""
    User = apps.get_model("core", "User")
    User.objects.filter(password_changed_at__isnull=True).update(password_changed_at=timezone.now())


class Migration(migrations.Migration):
    """Sign-in hardening: password age limit, second factor required by the policy, demo accounts marked."""

    dependencies = [("core", "0005_scope_path_collation_c")]
    operations = [
        migrations.AddField(
            model_name='securitypolicy',
            name='require_second_factor',
            field=models.BooleanField(default=True, help_text='Every staff account signs in with a password and a code from an authenticator app.', verbose_name='require two-step verification'),
        ),
        migrations.AddField(
            model_name='user',
            name='is_demo',
            field=models.BooleanField(default=False, editable=False, verbose_name='demo account'),
        ),
        migrations.AlterField(
            model_name='securitypolicy',
            name='password_max_age_days',
            field=models.PositiveSmallIntegerField(default=90, help_text='Staff must choose a new password after this many days; 0 means never.', verbose_name='password maximum age (days)'),
        ),
        migrations.AddConstraint(
            model_name='securitypolicy',
            constraint=models.CheckConstraint(condition=models.Q(('password_max_age_days__lte', 365)), name='core_securitypolicy_password_age_range', violation_error_message='The password age is at most 365 days (0: never).'),
        ),
        migrations.AddConstraint(
            model_name='securitypolicy',
            constraint=models.CheckConstraint(condition=models.Q(('lockout_cooloff_minutes__gte', 1), ('lockout_cooloff_minutes__lte', 1440)), name='core_securitypolicy_cooloff_range', violation_error_message='The lockout cool-off is 1 to 1440 minutes (a day).'),
        ),
        migrations.RunPython(stamp_password_dates, migrations.RunPython.noop),
    ]
