from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "gonghui.members"
    label = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        # Registrations: figures, audit labels, the member and union page sections.
        from . import audit_catalog, figures, profile_sections, signals  # noqa: F401
