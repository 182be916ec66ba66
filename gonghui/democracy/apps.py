from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemocracyConfig(AppConfig):
    name = "gonghui.democracy"
    label = "democracy"
    verbose_name = _("Democracy")

    def ready(self) -> None:
        # Registrations: figures, audit labels, menu entries, the board's kind.
        from . import audit_catalog, board, figures, menu, signals  # noqa: F401
