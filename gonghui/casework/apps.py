from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    name = "gonghui.casework"
    label = "casework"
    verbose_name = _("Casework")

    def ready(self) -> None:
        # Registrations: figures, audit labels, the member and union page sections.
        from . import audit_catalog, figures, notices, profile_sections, signals, supervision_casework  # noqa: F401
