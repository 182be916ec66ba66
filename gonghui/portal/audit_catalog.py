"""Who acts on the public pages, as the audit screen names them: the worker, never the English code."""

from django.utils.translation import gettext_lazy as _

from gonghui.core.audit_labels import register, register_actor, register_group, register_object_type

register_actor("public", _("The worker (public pages)"))
register_actor("portal", _("The worker (public pages)"))

register_group("portal", _("Public pages"))
register_object_type("form", _("Public form"))
register("portal.probe", _("One ID number tried too often on a public form"), group="portal", object_type="form",
         details={"number_key": _("Number (keyed tag)"), "attempts": _("Attempts"),
                  "window_seconds": _("Within (seconds)")})

register_object_type("portal.publication", _("Public board item"))
register("portal.publish", _("Published on the public board"), group="portal", object_type="portal.publication",
         details={"kind": _("Kind"), "title": _("Title"), "rows": _("Rows"), "until": _("Shown until")})
register("portal.withdraw", _("Withdrawn from the public board"), group="portal", object_type="portal.publication",
         details={"kind": _("Kind"), "reason": _("Reason")})
