"""Pages of recuperation (疗休养) and check-ups (体检): schemes, the quota page down the tree, nominations with their
filters and review, trips or check-up days with assignment and attendance, the subsidy list."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gonghui.core.forms import apply_validation_error, run_form
from gonghui.core.listing import Column, ListPage
from gonghui.core.spreadsheets import export_filename, write_xlsx, xlsx_response
from gonghui.core.views import requires
from gonghui.orgs.models import Org

from . import schemes, selectors_schemes
from .archive import mask_name
from .forms_drives import NominationFilterForm, NominationForm, QuotaForm, RefuseForm, SchemeForm, TripForm
from .models import Nomination, NominationGroup, NominationState, Quota, SchemeKind


def _crumbs(*items):
    return [{"label": _("Recuperation and check-ups"), "url": reverse("aid:schemes")}, *items]


def _scheme_crumb(scheme):
    return {"label": str(scheme), "url": reverse("aid:scheme_detail", args=[scheme.pk])}


@never_cache
@requires("aid.view")
def scheme_list(request):
    actor = request.actor
    qs = selectors_schemes.scheme_list(actor=actor)
    cols = [Column(_("Scheme name"), lambda s: s.name, url=lambda s: reverse("aid:scheme_detail", args=[s.pk])),
            Column(_("Kind"), lambda s: s.get_kind_display()), Column(_("Organising union"), lambda s: s.org.name),
            Column(_("Year"), lambda s: s.year, sort="year"), Column(_("Places (quota)"), lambda s: s.places),
            Column(_("Subsidy per person"), lambda s: s.subsidy)]
    page = ListPage(request, qs, cols, default_sort="-year", export_name="aid_schemes", object_type="aid.scheme",
                    export_title=_("Recuperation and check-ups"))
    actions = [{"label": _("Set up a scheme"), "url": reverse("aid:scheme_new")}] if actor.can("aid.settings") else []
    return page.response("core/list.html", {"title": _("Recuperation and check-ups"), "page_actions": actions})


@never_cache
@requires("aid.settings")
def scheme_new(request):
    actor = request.actor
    orgs = list(Org.objects.filter(path__startswith=actor.org.path, kind="federation", status="active")
                .order_by("path")[:200])
    form = SchemeForm(request.POST or None, orgs=orgs, initial={"org": actor.org.pk,
                                                                 "year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        org = next(o for o in orgs if str(o.pk) == d["org"])
        try:
            scheme = schemes.scheme_create(actor=actor, org=org, kind=d["kind"], year=d["year"], name=d["name"],
                                           subsidy=d["subsidy"], places=d["places"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Scheme set up."))
            return redirect("aid:scheme_detail", pk=scheme.pk)
    return render(request, "aid/form.html", {
        "title": _("Set up a scheme"), "form": form, "cancel": reverse("aid:schemes"), "narrow": True,
        "breadcrumbs": _crumbs({"label": _("Set up a scheme")})}, status=422 if request.method == "POST" else 200)


@never_cache
@requires("aid.view")
def scheme_detail(request, pk: int):
    actor = request.actor
    scheme = selectors_schemes.scheme_get(actor=actor, pk=pk)
    mine = selectors_schemes.nomination_scope(actor=actor).filter(scheme=scheme)
    by_state = dict(mine.values_list("state").annotate(n=Count("pk")).order_by())
    by_group = dict(mine.filter(state=NominationState.ATTENDED).values_list("group").annotate(n=Count("pk"))
                    .order_by())
    attended, due = schemes.subsidy_due(scheme)
    organiser = actor.covers(scheme.org_path)
    return render(request, "aid/scheme.html", {
        "title": str(scheme), "s": scheme, "trip_word": _trip_word(scheme),
        "states": [(label, by_state.get(value, 0), value) for value, label in NominationState.choices],
        "groups": [(label, by_group.get(value, 0)) for value, label in NominationGroup.choices],
        "quotas": selectors_schemes.quota_list(actor=actor, scheme=scheme)[:50],
        "trips": scheme.trips.order_by("start_on", "pk"), "attended": attended, "due": due,
        "can_nominate": actor.can("aid.write"), "can_export": actor.can("export"),
        "can_trip": actor.can("aid.write") and organiser,
        "breadcrumbs": _crumbs({"label": str(scheme)})})


def _trip_word(scheme) -> str:
    return _("Trips") if scheme.kind == SchemeKind.RECUPERATION else _("Check-up days")


def _givable(actor, scheme):
    """Child unions of the quota holders the actor covers (a holder gives to its children only)."""
    holders = [q.org for q in Quota.objects.filter(scheme=scheme, org_path__startswith=actor.org.path)
               .select_related("org")]
    if not holders and actor.covers(scheme.org_path):
        holders = [scheme.org]
    out = []
    for h in holders[:50]:
        out += list(Org.objects.filter(path__startswith=h.path, depth=h.depth + 1, status="active")
                    .order_by("path")[:200])
    return out


@never_cache
@requires("aid.view")
def quota_page(request, pk: int):
    actor = request.actor
    scheme = selectors_schemes.scheme_get(actor=actor, pk=pk)
    orgs = _givable(actor, scheme) if actor.can("aid.write") else []
    form = QuotaForm(request.POST or None, orgs=orgs) if orgs else None
    if request.method == "POST":
        actor.require("aid.write")
        if form is not None and form.is_valid():
            org = next(o for o in orgs if str(o.pk) == form.cleaned_data["org"])
            try:
                schemes.quota_allocate(actor=actor, scheme=scheme, org=org, places=form.cleaned_data["places"])
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("%(org)s now holds %(n)s places.") % {
                    "org": org.name, "n": form.cleaned_data["places"]})
                return redirect("aid:scheme_quotas", pk=pk)
    return render(request, "aid/quotas.html", {
        "title": _("Places down the tree"), "s": scheme, "form": form,
        "quotas": selectors_schemes.quota_list(actor=actor, scheme=scheme)[:2000],
        "breadcrumbs": _crumbs(_scheme_crumb(scheme), {"label": _("Places down the tree")})},
        status=422 if request.method == "POST" else 200)


@never_cache
@requires("aid.write")
def nomination_new(request, pk: int):
    actor = request.actor
    scheme = selectors_schemes.scheme_get(actor=actor, pk=pk)
    deepest = max(actor.org.path, scheme.org_path, key=len)
    orgs = list(Org.objects.filter(path__startswith=deepest, status="active").order_by("path")[:300]) \
        if deepest.startswith(actor.org.path) and deepest.startswith(scheme.org_path) else []
    form = NominationForm(request.POST or None, orgs=orgs)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        org = next(o for o in orgs if str(o.pk) == d["org"])
        person = form.person()
        if person is None:
            form.add_error("id_number", _("No member of the registry has this ID number."))
        else:
            try:
                n = schemes.nomination_create(actor=actor, scheme=scheme, org=org, person=person, group=d["group"])
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for key in ("person", "places"):
                        if key in exc.error_dict:
                            exc.error_dict["id_number"] = exc.error_dict.pop(key)
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Nominated, awaiting approval."))
                return redirect("aid:nomination_detail", pk=n.pk)
    return render(request, "aid/form.html", {
        "title": _("Nominate a member"), "form": form, "narrow": True,
        "cancel": reverse("aid:scheme_detail", args=[pk]),
        "breadcrumbs": _crumbs(_scheme_crumb(scheme), {"label": _("Nominate a member")})},
        status=422 if request.method == "POST" else 200)


@never_cache
@requires("aid.view")
def nomination_list(request):
    actor = request.actor
    visible = list(selectors_schemes.scheme_list(actor=actor)[:100])
    form = NominationFilterForm(request.GET or None, schemes=visible)
    filters = dict(form.cleaned_data) if form.is_bound and form.is_valid() else {}
    qs = selectors_schemes.nomination_list(actor=actor, filters=filters)
    cols = [Column(_("No."), lambda n: n.pk, url=lambda n: reverse("aid:nomination_detail", args=[n.pk])),
            Column(_("Scheme"), lambda n: str(n.scheme)), Column(_("Member"), lambda n: mask_name(n.person.name)),
            Column(_("Union"), lambda n: n.org.name), Column(_("Group"), lambda n: n.get_group_display()),
            Column(_("State"), lambda n: n.get_state_display()),
            Column(_("Trip or check-up day"), lambda n: str(n.trip) if n.trip_id else "—")]
    page = ListPage(request, qs, cols, filter_form=form, default_sort="-id", export_name="aid_nominations",
                    object_type="aid.nomination", export_title=_("Nominations"))
    actions = [{"label": _("Nominations to review"), "url": reverse("aid:nomination_review")}] \
        if actor.can("aid.review") else []
    return page.response("core/list.html", {"title": _("Nominations"), "page_actions": actions})


@never_cache
@requires("aid.review")
def review(request):
    qs = selectors_schemes.review_queue(actor=request.actor)[:200]
    return render(request, "aid/nomination_review.html", {
        "title": _("Nominations to review"), "rows": [(n, mask_name(n.person.name)) for n in qs],
        "refuse_form": RefuseForm()})


def _nomination_page(request, n, form=None, status=200):
    actor = request.actor
    can_decide = (actor.can("aid.review") and actor.covers(n.scheme.org_path)
                  and n.nominated_by_id != actor.user.pk)
    return render(request, "aid/nomination.html", {
        "title": _("Nomination %(n)s") % {"n": n.pk}, "n": n, "name": mask_name(n.person.name),
        "can_approve": can_decide and n.state == NominationState.NOMINATED,
        "can_refuse": actor.can("aid.review") and actor.covers(n.scheme.org_path)
        and n.state in (NominationState.NOMINATED, NominationState.APPROVED),
        "refuse_form": form or RefuseForm(),
        "breadcrumbs": [{"label": _("Nominations"), "url": reverse("aid:nominations")}, {"label": f"#{n.pk}"}]},
        status=status)


@never_cache
@requires("aid.view")
def nomination_detail(request, pk: int):
    return _nomination_page(request, selectors_schemes.nomination_get(actor=request.actor, pk=pk))


def _back(request, pk):
    return redirect("aid:nomination_review") if request.POST.get("next") == "review" \
        else redirect("aid:nomination_detail", pk=pk)


@require_POST
@requires("aid.review")
def nomination_approve(request, pk: int):
    n = selectors_schemes.nomination_get(actor=request.actor, pk=pk)
    try:
        schemes.nomination_approve(actor=request.actor, nomination=n)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", None) or [str(exc)]))
    else:
        messages.success(request, _("Nomination approved."))
    return _back(request, pk)


@require_POST
@requires("aid.review")
def nomination_refuse(request, pk: int):
    n = selectors_schemes.nomination_get(actor=request.actor, pk=pk)
    form = RefuseForm(request.POST)
    if run_form(request, form, lambda d: schemes.nomination_refuse(
            actor=request.actor, nomination=n, reason=d["reason"]),
            success=_("Nomination refused; its place is free again.")):
        return _back(request, pk)
    return _nomination_page(request, n, form=form, status=422)


@never_cache
@requires("aid.write")
def trip_new(request, pk: int):
    actor = request.actor
    scheme = selectors_schemes.scheme_get(actor=actor, pk=pk)
    actor.require_covers(scheme.org_path)
    form = TripForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            trip = schemes.trip_create(actor=actor, scheme=scheme, place=d["place"], start_on=d["start_on"],
                                       end_on=d["end_on"], capacity=d["capacity"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("aid:trip_detail", pk=trip.pk)
    title = _("New trip") if scheme.kind == SchemeKind.RECUPERATION else _("New check-up day")
    return render(request, "aid/form.html", {
        "title": title, "form": form, "narrow": True, "cancel": reverse("aid:scheme_detail", args=[pk]),
        "breadcrumbs": _crumbs(_scheme_crumb(scheme), {"label": title})},
        status=422 if request.method == "POST" else 200)


def _ids(values) -> list[int]:
    return [int(v) for v in values if str(v).isdigit()]


@never_cache
@requires("aid.view")
def trip_detail(request, pk: int):
    """The people of a trip with their attendance; the organiser assigns approved people and marks attendance."""
    actor = request.actor
    trip = selectors_schemes.trip_get(actor=actor, pk=pk)
    scheme = trip.scheme
    can_manage = actor.can("aid.write") and actor.covers(trip.org_path)
    status = 200
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied("aid.write")
        try:
            if request.POST.get("action") == "assign":
                chosen = list(Nomination.objects.filter(pk__in=_ids(request.POST.getlist("nomination")),
                                                        scheme=scheme))
                if not chosen:
                    raise ValidationError(_("Choose at least one person."))
                n = schemes.trip_assign(actor=actor, trip=trip, nominations=chosen)
                messages.success(request, _("%(n)s people assigned.") % {"n": n})
            else:
                marks = {k.removeprefix("mark-"): v for k, v in request.POST.items() if k.startswith("mark-")}
                schemes.attendance_mark(actor=actor, trip=trip,
                                        attended=_ids(k for k, v in marks.items() if v == "attended"),
                                        absent=_ids(k for k, v in marks.items() if v == "absent"))
                messages.success(request, _("Attendance saved."))
            return redirect("aid:trip_detail", pk=pk)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            status = 422
            trip.refresh_from_db()
    people = trip.nominations.select_related("person", "org").order_by("org_path", "pk")
    waiting = Nomination.objects.filter(scheme=scheme, state=NominationState.APPROVED, trip__isnull=True) \
        .select_related("person", "org").order_by("org_path", "pk")[:500] if can_manage else []
    return render(request, "aid/trip.html", {
        "title": str(trip), "t": trip, "s": scheme, "can_manage": can_manage,
        "people": [(n, mask_name(n.person.name)) for n in people],
        "waiting": [(n, mask_name(n.person.name)) for n in waiting],
        "breadcrumbs": _crumbs(_scheme_crumb(scheme), {"label": str(trip)})}, status=status)


@never_cache
@requires("aid.view")
def subsidy_export(request, pk: int):
    """The people attended with the per-person subsidy each (names masked)."""
    actor = request.actor
    actor.require("export")
    scheme = selectors_schemes.scheme_get(actor=actor, pk=pk)
    rows = selectors_schemes.nomination_scope(actor=actor).filter(scheme=scheme, state=NominationState.ATTENDED) \
        .select_related("person", "org", "trip").order_by("org_path", "pk")
    content = write_xlsx(
        [_("Member"), _("Union"), _("Group"), _("Trip or check-up day"), _("Subsidy per person")],
        ((mask_name(n.person.name), n.org.name, n.get_group_display(), str(n.trip) if n.trip_id else "",
          scheme.subsidy) for n in rows.iterator(chunk_size=2000)), sheet=_("Subsidy"))
    return xlsx_response(content, export_filename(_("Subsidy list"), unit=scheme.org, extra=scheme.name))
