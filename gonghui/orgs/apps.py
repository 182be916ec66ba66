from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "gonghui.orgs"
    label = "orgs"
    verbose_name = _("Organizations")

    def ready(self) -> None:
        # Registrations: figures, audit labels, the member and union page sections.
        from . import audit_catalog, figures, profile_sections  # noqa: F401
