from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    name = "gonghui.casework"
    label = "casework"
    verbose_name = _("Casework")

    def ready(self) -> None:
        from . import (  # noqa: F401
            audit_catalog,
            figures,
            notices,
            signals,
        )
