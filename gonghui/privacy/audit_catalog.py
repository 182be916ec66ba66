"""The audit labels of the workers' personal-data rights (查阅, 导出, 删除) and of the retention sweep."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core.audit_labels import DisplayedObject, register, register_actor, register_group, register_object_type


def _requests(actor, ids: list[str]) -> dict[str, DisplayedObject]:
    from .services import request_scope

    return {code: DisplayedObject(code, reverse("privacy:request", args=[code]))
            for code in request_scope(actor=actor).filter(code__in=ids).values_list("code", flat=True)}


register_group("privacy", _("Personal-data requests"))
register_actor("privacy", _("The worker (personal-data page)"))
register_actor("retention", _("System (retention sweep)"))
register_object_type("deletion_request", _("Deletion request"), _requests)

P = "privacy"
_D = {"items": _("Items"), "anonymised": _("Items anonymised"), "id_verified": _("ID number checked"),
      "opens": (_("Records opened"), lambda v: str(_("All held under both numbers")) if v == "all" else str(v))}
register("privacy.access", _("Worker opened their personal data"), group=P, details=_D)
register("privacy.export", _("Worker downloaded their personal data"), group=P, details=_D)
register("privacy.deletion.request", _("Deletion requested"), group=P, object_type="deletion_request", details=_D)
register("privacy.deletion.anonymise", _("Deletion request granted: data anonymised"), group=P,
         object_type="deletion_request", details=_D)
register("privacy.deletion.refuse", _("Deletion request refused"), group=P, object_type="deletion_request",
         details=_D)
register("privacy.deletion.purge", _("Deletion request record purged"), group=P, object_type="deletion_request",
         details=_D)
register("privacy.anonymise", _("Personal data anonymised"), group=P, details=_D)
