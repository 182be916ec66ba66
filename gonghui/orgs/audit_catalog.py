"""The audit labels of the organization tree, and unions shown by name (linked inside the reader's subtree)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core import import_jobs
from gonghui.core.audit_labels import DisplayedObject, choices, register, register_group, register_object_type

from .models import Level, Org


def _orgs(actor, ids: list[str]) -> dict[str, DisplayedObject]:
    out = {}
    for code, name, path in Org.objects.filter(code__in=ids).values_list("code", "name", "path"):
        # A unit outside the reader's subtree keeps its code only: its name is not the reader's to see.
        if actor.covers(path):
            out[code] = DisplayedObject(name, reverse("orgs:detail", args=[code]))
    return out


def _field_names(values) -> str:
    names = []
    for name in values if isinstance(values, list) else [values]:
        try:
            names.append(str(Org._meta.get_field(name).verbose_name))
        except Exception:
            names.append(str(name))
    return "、".join(names)


register_group("orgs", _("Organizations"))
register_object_type("org", _("Union"), _orgs)

_ORG = {"name": _("Name"), "level": (_("Level"), choices(Level)), "path": _("Tree path"),
        "parent": _("Parent unit")}
register("org.create", _("Union created"), group="orgs", object_type="org", details=_ORG)
register("org.update", _("Union details changed"), group="orgs", object_type="org",
         details={"changed": (_("Fields changed"), _field_names)})
register("org.move", _("Union moved in the tree"), group="orgs", object_type="org",
         details={"from": _("Old parent"), "to": _("New parent"), "old_path": _("Old tree path"),
                  "new_path": _("New tree path")})
register("org.dissolve", _("Union dissolved"), group="orgs", object_type="org",
         details={"units": _("Units dissolved"), "dissolved_on": _("Dissolved on")})
register("org.import", _("Unions imported"), group="orgs", object_type="org",
         details={"file": _("File"), "created": _("Created"), "updated": _("Updated"),
                  "unchanged": _("Unchanged")})
register("org.import_interrupted", _("Union import interrupted (worker stopped): nothing written"), group="orgs",
         object_type="import_job", details={"file": _("File"), "union": _("Union")})
# The upload is not kept for a second run (kind ``orgs.tasks.KIND``): its uploader starts again.
import_jobs.register("orgs.import", action="org.import_interrupted", message=_(
    "The import was interrupted (its background worker stopped); nothing was written. Upload the file again."))
