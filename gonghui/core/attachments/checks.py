"""System checks: the attachments store is configured, and an S3 store has its library installed."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.compatibility)
def check_attachments_storage(app_configs=None, **kwargs):
    config = getattr(settings, "STORAGES", {}).get("attachments")
    if config is None:
        return [checks.Error('STORAGES has no "attachments" entry: attachments cannot be stored.',
                             hint="Keep base.py's STORAGES['attachments'] when a settings module redefines STORAGES.",
                             id="gonghui.E101")]
    if config.get("BACKEND", "").startswith("storages."):
        try:
            import storages  # noqa: F401
        except ImportError:
            return [checks.Error("GONGHUI_ATTACHMENTS_S3_BUCKET is set but django-storages is not installed.",
                                 hint="pip install 'gonghui[s3]'", id="gonghui.E102")]
    return []
