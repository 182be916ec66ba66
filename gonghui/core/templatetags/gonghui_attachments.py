"""``{% attachments_panel "funds.voucher" voucher %}``: the files of an object, with download links, and the upload
form (and delete buttons, where the owner allows it) for whoever may attach. The object comes from the page, which
has already read it within the actor's scope; the panel still asks the owner kind what the actor may do."""

from django import template

from ..attachments import owner_kind, services
from ..attachments.content import max_bytes
from ..models import AttachmentType

register = template.Library()
ACCEPT = ".pdf,.ofd,.jpg,.jpeg,.png,.xml," + ",".join(t.value for t in AttachmentType)


@register.inclusion_tag("core/attachments/panel.html", takes_context=True)
def attachments_panel(context, kind: str, obj):
    request = context.get("request")
    actor = getattr(request, "actor", None) or context.get("actor")
    owner = owner_kind(kind)
    visible = bool(actor is not None and actor.is_authenticated and actor.covers(owner.org_path(obj))
                   and owner.may_view(actor, obj))
    files = list(services.attachments_of(owner=owner, obj=obj)) if visible else []
    may_attach = visible and owner.may_attach(actor, obj)
    deletable = may_attach and owner.is_deletable(obj)
    rows = [{"file": f, "may_delete": deletable and actor.covers(f.uploader_path)} for f in files]
    limit = services.max_per_owner()
    return {
        "visible": visible, "rows": rows, "owner": owner, "object_id": owner.object_id(obj),
        "may_attach": may_attach, "full": len(files) >= limit, "limit": limit, "deletable": owner.is_deletable(obj),
        "max_mb": max_bytes() // (1024 * 1024), "accept": ACCEPT, "next": request.get_full_path() if request else "",
        "csrf_token": context.get("csrf_token"),
    }
