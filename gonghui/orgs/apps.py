from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "gonghui.orgs"
    label = "orgs"
    verbose_name = _("Organizations")

    def ready(self) -> None:
        from . import (
            audit_catalog,  # noqa: F401  (the audit screen's labels)
            figures,  # noqa: F401  (registers the org figures)
        )
