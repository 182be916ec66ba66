from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AidConfig(AppConfig):
    name = "gonghui.aid"
    label = "aid"
    verbose_name = _("Assistance")

    def ready(self) -> None:
        # Registrations: figures, audit labels, menu entries.
        from . import audit_catalog, figures, menu, signals  # noqa: F401
