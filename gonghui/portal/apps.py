from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "gonghui.portal"
    label = "portal"
    verbose_name = _("Public portal")

    def ready(self) -> None:
        from gonghui.core import ratelimits  # noqa: F401  (registers the rate-limit cache check)

        from . import audit_catalog  # noqa: F401  (the audit screen's labels)
