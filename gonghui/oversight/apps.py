from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "gonghui.oversight"
    label = "oversight"
    verbose_name = _("Oversight")

    def ready(self) -> None:
        # Registrations: figures, audit labels, menu entries; the org paths follow a moved subtree.
        from . import audit_catalog, figures, menu, signals  # noqa: F401
