from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "gonghui.privacy"
    verbose_name = "个人信息保护"

    def ready(self) -> None:
        from . import audit_catalog  # noqa: F401  (the audit screen's labels)
