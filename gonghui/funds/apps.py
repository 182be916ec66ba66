from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "gonghui.funds"
    label = "funds"
    verbose_name = _("Union funds")

    def ready(self) -> None:
        # Registrations: figures, audit labels, menu entries, the union page sections.
        from . import attachments_funds, audit_catalog, figures, menu, profile_sections, signals  # noqa: F401
