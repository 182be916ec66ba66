from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "gonghui.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Registrations: figures, audit labels, the member and union page sections.
        from . import audit_catalog, checks, profile_sections, signals  # noqa: F401
        from .supervision import audit_supervision  # noqa: F401
        from .supervision import signals as _supervision_signals  # noqa: F401
