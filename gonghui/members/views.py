import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gonghui.core import approvals, audit
from gonghui.core.forms import apply_validation_error
from gonghui.core.identity import mask
from gonghui.core.listing import Column, ListPage
from gonghui.core.models import Outcome
from gonghui.core.profile import member_sections
from gonghui.core.reveal import reveal
from gonghui.core.spreadsheets import export_filename, sheet_name, write_xlsx, xlsx_response
from gonghui.core.views import requires
from gonghui.orgs.selectors import org_get

from . import selectors, services
from .forms import CATEGORY_CHOICES, LeaveForm, MemberFilterForm, MemberForm, RevealForm
from .models import MembershipStatus


def _crumbs(*items):
    return [{"label": _("Member list"), "url": reverse("members:list")}, *({"label": i} for i in items)]



def _columns(reveal_all: bool) -> list[Column]:
    def id_number(m):
        return m.person.id_number if reveal_all else mask(m.person.id_number, kind="id_number")

    def phone(m):
        return m.person.phone if reveal_all else mask(m.person.phone, kind="phone")

    return [
        Column(_("Full name"), lambda m: m.person.name, sort="person__name",
               url=lambda m: reverse("members:detail", args=[m.person.uid])),
        Column(_("Sex"), lambda m: m.person.get_sex_display()),
        Column(_("ID number"), id_number),
        Column(_("Mobile phone"), phone),
        Column(_("Union"), lambda m: m.union.name, sort="org_path"),
        Column(_("Joined on"), lambda m: m.joined_on, sort="joined_on"),
        Column(_("Migrant worker"), lambda m: m.is_migrant_worker),
        Column(_("New forms of employment"), lambda m: m.is_new_employment),
        Column(_("Agency worker"), lambda m: m.is_dispatched),
        Column(_("Job title"), lambda m: m.job_title),
        Column(_("Status"), lambda m: m.get_status_display(), sort="status"),
    ]


@never_cache
@requires("member.view")
def member_list(request):
    """The registry, masked. POST asks for an export with full numbers, which a second person must approve."""
    actor = request.actor
    form = MemberFilterForm(request.GET or {"status": "active"}, actor=actor)
    filters = dict(form.cleaned_data) if form.is_valid() else {"status": "active"}
    if code := filters.pop("union", ""):
        filters["under"] = org_get(actor=actor, code=code.strip().upper())
    if request.method == "POST" and form.is_valid():
        return _export_revealed_request(request, filters)
    if request.method == "POST":  # a bad filter never widens the export to the whole scope
        messages.error(request, _("Correct the filters before asking for an export."))
    if selectors.is_number_search(filters.get("q") or ""):
        # A number in the address stays in browser history and server logs: full numbers go to the find box.
        messages.error(request, _("Type a full ID or mobile number in the “Find by number” box, which never puts "
                                  "it in the page address."))
        filters["q"] = ""
    qs = selectors.member_list(actor=actor, filters=filters)
    page = ListPage(request, qs, _columns(reveal_all=False), filter_form=form, default_sort="-joined_on",
                    export_name="members", object_type="membership", export_title=_("Member roster"),
                    export_unit=filters.get("under"))
    actions = []
    if actor.can("member.write"):
        actions.append({"label": _("Add a member"), "url": reverse("members:add")})
    if actor.can("member.import"):
        actions.append({"label": _("Import members"), "url": reverse("members:import")})
    return page.response("members/list.html", {"title": _("Member list"), "page_actions": actions,
                                               "can_reveal": actor.can("personal.reveal")})


@never_cache
@requires("member.view")
def member_find(request):
    """A person found by their full ID or mobile number (exact, through the blind index). POST only, so the number
    never appears in an address."""
    actor = request.actor
    if request.method != "POST":
        return redirect("members:list")
    number = (request.POST.get("number") or "").strip()
    if selectors.is_number_search(number):
        qs = selectors.member_list(actor=actor, filters={"q": number, "status": ""})
    else:
        messages.error(request, _("Type a full ID number (18 characters) or a mobile number (11 digits)."))
        qs = selectors.membership_scope(actor=actor).none()
    page = ListPage(request, qs, _columns(reveal_all=False), default_sort="-joined_on")
    return page.response("members/list.html", {"title": _("Find by number"), "can_reveal": False})


# The export with full ID and mobile numbers (maker-checker, gonghui.core.approvals). The payload keeps the
# filters, never a number: a search by full ID or mobile number finds one person, revealed on their own page.
EXPORT_FILTERS = ("status", "category", "joined_from", "joined_to", "q")


def _export_revealed_request(request, filters: dict):
    actor = request.actor
    actor.require("personal.reveal")
    actor.require("export")
    back = request.path + ("?" + request.GET.urlencode() if request.GET else "")
    q = (filters.get("q") or "").strip()
    if selectors.is_number_search(q):
        messages.error(request, _("A search by ID or mobile number finds one person: reveal the number on their "
                                  "page instead."))
        return redirect(back)
    org = filters.get("under") or actor.org
    payload = {"filters": {k: str(filters[k]) for k in EXPORT_FILTERS if filters.get(k)},
               "rows": selectors.member_list(actor=actor, filters=filters).count()}
    try:
        approval = approvals.approval_request(actor=actor, kind=approvals.MEMBERS_EXPORT, org=org, payload=payload,
                                              reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    messages.success(request, _("Request %(code)s sent: another officer covering %(org)s approves it, then you "
                                "download the file here once.") % {"code": approval.uid, "org": org.name})
    return redirect("approvals:detail", uid=approval.uid)


def _export_filters(approval) -> dict:
    data = approval.payload.get("filters", {})
    filters = {k: data.get(k, "") for k in ("status", "category", "q")}
    for k in ("joined_from", "joined_to"):
        if data.get(k):
            filters[k] = datetime.date.fromisoformat(data[k])
    filters["under"] = approval.org
    return filters


def export_revealed_run(*, actor, approval):
    """The approved export, run once for its maker: the rows the maker sees now, under the approved unit."""
    qs = selectors.member_list(actor=actor, filters=_export_filters(approval)).order_by("-joined_on", "pk")
    columns = _columns(reveal_all=True)
    rows = ([c.value(m) for c in columns] for m in qs.iterator(chunk_size=2000))  # streamed: constant memory
    content = write_xlsx([str(c.label) for c in columns], rows, sheet=sheet_name(_("Member roster")))
    audit.record(actor=actor, action="personal.export", object_type="membership", scope_path=approval.org_path,
                 details={"approval": approval.uid, "reason": approval.reason, "rows": qs.count()})
    return xlsx_response(content, export_filename(_("Member roster (full numbers)"), unit=approval.org))


def export_revealed_describe(approval) -> str:
    data = approval.payload.get("filters", {})
    parts = []
    if data.get("status"):
        parts.append(MembershipStatus(data["status"]).label)
    if data.get("category"):
        parts.append(str(dict(CATEGORY_CHOICES)[data["category"]]))
    if data.get("joined_from") or data.get("joined_to"):
        parts.append(_("joined %(start)s to %(end)s") % {"start": data.get("joined_from", "…"),
                                                          "end": data.get("joined_to", "…")})
    if data.get("q"):
        parts.append(_("name contains “%(q)s”") % {"q": data["q"]})
    return _("Members of %(org)s (%(filters)s) with full ID and mobile numbers, %(n)s rows when asked.") % {
        "org": approval.org.name, "filters": "; ".join(str(p) for p in parts) or _("all"),
        "n": approval.payload.get("rows", 0)}


@requires("member.write")
def member_add(request):
    actor = request.actor
    form = MemberForm(request.POST or None, actor=actor,
                      initial={"joined_on": datetime.date.today(), "union": request.GET.get("union", "")})
    if request.method == "POST" and form.is_valid():
        union = org_get(actor=actor, code=form.cleaned_data["union"])
        try:
            m = services.member_add(actor=actor, union=union, person=form.person(), **form.membership())
        except services.ActiveElsewhere as exc:
            where = exc.membership.union.name if actor.covers(exc.membership.org_path) else _("another union")
            form.add_error(None, _("%(name)s is already an active member of %(where)s: ask for a transfer.")
                           % {"name": form.cleaned_data["name"], "where": where})
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("%(name)s is now a member of %(union)s.") % {
                "name": m.person.name, "union": union.name})
            return redirect("members:detail", uid=m.person.uid)
    return render(request, "core/form_page.html", {"title": _("Add a member"), "form": form,
                                                   "cancel_url": reverse("members:list"),
                                                   "breadcrumbs": _crumbs(_("Add a member"))})


@never_cache
@requires("member.view")
def member_detail(request, uid: str):
    actor = request.actor
    person = selectors.person_get(actor=actor, uid=uid)
    current = selectors.membership_scope(actor=actor).filter(person=person, status=MembershipStatus.ACTIVE).first()
    return render(request, "members/detail.html", {
        "title": person.name, "person": person, "current": current,
        "sections": member_sections(actor=actor, person=person, membership=current),
        "id_masked": mask(person.id_number, kind="id_number"), "phone_masked": mask(person.phone, kind="phone"),
        "can_write": actor.can("member.write") and current is not None,
        "can_reveal": actor.can("personal.reveal") and current is not None, "reveal_form": RevealForm(),
        "breadcrumbs": _crumbs(person.name),
    })


def _current(actor, uid):
    person = selectors.person_get(actor=actor, uid=uid)
    m = selectors.membership_scope(actor=actor).filter(person=person, status=MembershipStatus.ACTIVE).first()
    if m is None:
        raise PermissionDenied("no active membership in scope")
    return person, m


@requires("member.write")
def member_edit(request, uid: str):
    actor = request.actor
    person, m = _current(actor, uid)
    initial = {k: getattr(person, k) for k in MemberForm.PERSON if k not in ("id_number", "phone")}
    initial.update({k: getattr(m, k) for k in MemberForm.MEMBERSHIP})
    form = MemberForm(request.POST or None, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(actor=actor, membership=m, person=form.person(), **form.membership())
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("members:detail", uid=uid)
    return render(request, "core/form_page.html", {"title": _("Edit %(name)s") % {"name": person.name}, "form": form,
                                                   "cancel_url": reverse("members:detail", args=[uid]),
                                                   "breadcrumbs": _crumbs(person.name, _("Edit"))})


@requires("member.write")
def member_leave(request, uid: str):
    actor = request.actor
    person, m = _current(actor, uid)
    form = LeaveForm(request.POST or None, initial={"left_on": datetime.date.today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.member_leave(actor=actor, membership=m, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("%(name)s has left %(union)s.") % {"name": person.name,
                                                                           "union": m.union.name})
            return redirect("members:detail", uid=uid)
    return render(request, "core/form_page.html", {
        "title": _("%(name)s leaves %(union)s") % {"name": person.name, "union": m.union.name}, "form": form,
        "submit_label": _("Record leaving"), "cancel_url": reverse("members:detail", args=[uid]),
        "breadcrumbs": _crumbs(person.name, _("Leave"))})


@never_cache
@require_POST
@requires("personal.reveal")
def member_reveal(request, uid: str):
    actor = request.actor
    person, m = _current(actor, uid)
    form = RevealForm(request.POST)
    if not form.is_valid():
        audit.record(actor=actor, action="personal.reveal", object_type="person", object_id=uid,
                     scope_path=m.org_path, outcome=Outcome.DENIED, details={"why": "no reason"})
        return HttpResponse(format_html('<span class="text-danger">{}</span>', _("Say why you need to see it.")),
                            status=422)
    value = reveal(actor=actor, obj=person, field_name=form.cleaned_data["field"],
                   reason=form.cleaned_data["reason"], object_type="person", object_id=uid, scope_path=m.org_path)
    response = HttpResponse(format_html('<span class="gh-revealed">{}</span>', value))
    response["Cache-Control"] = "no-store"
    return response
