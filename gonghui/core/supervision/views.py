"""The one supervision list of a unit (red items of every kind raised to the units of its subtree, with the 督办
note) and the per-kind thresholds screen. The permissions are the registered kinds' (see ``urls.py``)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gonghui.core.forms import apply_validation_error
from gonghui.core.listing import Column, ListPage
from gonghui.core.templatetags.gonghui_links import may_open

from . import services
from .registry import kinds, visible_kinds

TABS = ("todo", "handled", "resolved")


class HandleForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=gettext_lazy("Supervision note"), max_length=500)


def _filters(request, params) -> dict:
    actor = request.actor
    kind = params.get("kind", "")
    if kind not in visible_kinds(actor):
        kind = ""
    tab = params.get("show", "todo")
    if tab not in TABS:
        tab = "todo"
    return {"kind": kind, "tab": tab}


def _queryset(actor, *, kind: str, tab: str):
    flags = {"todo": {"handled": False, "resolved": False}, "handled": {"handled": True},
             "resolved": {"handled": False, "resolved": True}}[tab]
    return services.supervision_list(actor, kind=kind or None, **flags)


def _label(kind: str) -> str:
    entry = kinds().get(kind)
    return str(entry.label) if entry else kind


def _page(request, *, form=None, failed_id=None, status=200):
    actor = request.actor
    # A refused note comes back to the list it was written on (its filters travel in ``back``).
    params = QueryDict(request.POST.get("back", "").lstrip("?")) if request.method == "POST" else request.GET
    f = _filters(request, params)
    qs = _queryset(actor, **f)
    if params.get("export") == "xlsx":
        tab_label = {"todo": _("To supervise"), "handled": _("Supervised"), "resolved": _("No longer overdue")}
        columns = [
            Column(_("Kind"), lambda i: _label(i.kind)), Column(_("Title"), lambda i: i.title),
            Column(_("Handling unit"), lambda i: i.holder_org.name),
            Column(_("Supervising unit"), lambda i: i.told_org.name),
            Column(_("Due on"), lambda i: i.due_on), Column(_("Escalated"), lambda i: i.raised_at.date()),
            Column(_("Supervision note"), lambda i: i.handled_note),
            Column(_("Supervised by"), lambda i: str(i.handled_by or "")),
            Column(_("Supervised at"), lambda i: i.handled_at.date() if i.handled_at else None),
            Column(_("No longer overdue since"), lambda i: i.resolved_at.date() if i.resolved_at else None),
        ]
        listing = ListPage(request, qs, columns, export_name="supervision", object_type="supervision_item",
                           export_title=_("Supervision list (%(tab)s)") % {"tab": tab_label[f["tab"]]})
        listing.queryset = qs
        return listing.export()
    page = Paginator(qs, 50).get_page(params.get("page"))
    writable = {k for k, e in kinds().items() if actor.can(e.write_perm)}
    for item in page.object_list:
        item.kind_label = _label(item.kind)
        item.can_write = item.kind in writable and item.handled_at is None
    kind_tabs = [{"key": "", "label": _("All"), "active": not f["kind"]}] + [
        {"key": k, "label": _label(k), "active": f["kind"] == k} for k in visible_kinds(actor)]
    return render(request, "supervision/list.html", {
        "title": _("Supervision list"), "page": page, "tab": f["tab"], "kind": f["kind"], "kind_tabs": kind_tabs,
        "form": form, "failed_id": failed_id, "can_export": actor.can("export"),
        "can_settings": bool(services.settings_rows(actor)),
        "breadcrumbs": [{"label": _("Supervision list")}],
    }, status=status)


@never_cache
def supervision(request):
    return _page(request)


@never_cache
@require_POST
def handle(request):
    actor = request.actor
    form = HandleForm(request.POST)
    if form.is_valid():
        item = services.supervision_get(actor, pk=form.cleaned_data["item"])
        try:
            services.item_handle(actor, item=item, note=form.cleaned_data["note"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Supervision note recorded: %(title)s.") % {"title": item.title})
            back = request.POST.get("back", "")
            return redirect("supervision:list" if not back.startswith("?") else f"/supervision/{back}")
    return _page(request, form=form, failed_id=request.POST.get("item"), status=422)


@never_cache
def thresholds(request):
    """Each kind the actor may set, its two thresholds editable; one save for the table (all or nothing)."""
    actor = request.actor
    rows = services.settings_rows(actor)
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        changed = 0
        try:
            with transaction.atomic():
                for row in rows:
                    blue = request.POST.get(f"blue-{row['kind']}", row["blue_within"])
                    remind = request.POST.get(f"remind-{row['kind']}", row["remind_before"])
                    row["blue_within"], row["remind_before"] = blue, remind
                    try:
                        before = services.thresholds(row["kind"])
                        after = services.settings_update(actor, kind=row["kind"], blue_within=blue,
                                                         remind_before=remind)
                        changed += after != before
                    except ValidationError as exc:
                        errors[row["kind"]] = exc.messages
                if errors:
                    raise ValidationError("rolled back")
        except ValidationError:
            status = 422
        else:
            messages.success(request, _("%(n)s kinds changed. The next sweep colors and reminds by them.")
                             % {"n": changed})
            return redirect("supervision:thresholds")
    for row in rows:
        row["errors"] = errors.get(row["kind"], [])
    list_url = reverse("supervision:list")
    return render(request, "supervision/thresholds.html", {
        "title": _("Supervision thresholds"), "rows": rows,
        "breadcrumbs": [{"label": _("Supervision list"), "url": list_url if may_open(actor, list_url) else ""},
                        {"label": _("Supervision thresholds")}],
    }, status=status)
