"""Pages of medical mutual aid: plans, their enrolments (one by one or from a spreadsheet), claims (filed on a
phone by the unit, reviewed by a second person of the plan's union) and the paid claims on the public board."""


from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gonghui.core.forms import apply_validation_error, run_action, run_form
from gonghui.core.identity import mask
from gonghui.core.import_page import MAX_BYTES, CheckedImport, checked_import
from gonghui.core.listing import Column, ListPage
from gonghui.core.views import requires
from gonghui.orgs.models import Org

from . import board_mutual, import_mutual, mutual, selectors_mutual
from .archive import mask_name
from .forms_mutual import (
    ClaimFilterForm,
    ClaimForm,
    EnrolForm,
    ImportForm,
    PlanForm,
    PublishForm,
    UnitFilterForm,
)
from .forms_programs import RefuseForm
from .forms_warmth import WithdrawForm
from .models import ClaimState, PlanState

IMPORT_SESSION_KEY = "aid.mutual_import"
IMPORT_MAX_BYTES = MAX_BYTES


def _crumbs(*items):
    first = {"label": _("Medical mutual aid plans"), "url": reverse("aid:mutual_plans")}
    return [first, *({"label": str(i)} if not isinstance(i, dict) else i for i in items)]


def _plan_crumb(plan):
    return {"label": str(plan), "url": reverse("aid:mutual_plan", args=[plan.pk])}


def _units(actor, plan=None):
    qs = Org.objects.filter(path__startswith=actor.org.path)
    if plan is not None:
        qs = qs.filter(path__startswith=plan.org_path)
    return list(qs.order_by("path")[:300])


# --- plans -----------------------------------------------------------------------------------------------------

@never_cache
@requires("aid.view")
def plan_list(request):
    actor = request.actor
    qs = selectors_mutual.plan_list(actor=actor)
    cols = [Column(_("Plan name"), lambda p: p.name, url=lambda p: reverse("aid:mutual_plan", args=[p.pk])),
            Column(_("Year"), lambda p: p.year, sort="year"), Column(_("Running union"), lambda p: p.org.name),
            Column(_("Contribution per person"), lambda p: p.contribution),
            Column(_("Annual cap per person"), lambda p: p.annual_cap),
            Column(_("Fund"), lambda p: p.program.budget), Column(_("State"), lambda p: p.get_state_display())]
    page = ListPage(request, qs, cols, default_sort="-year")
    actions = [{"label": _("Set up a plan"), "url": reverse("aid:mutual_plan_new")}] \
        if actor.can("aid.settings") else []
    return page.response("core/list.html", {"title": _("Medical mutual aid plans"), "page_actions": actions})


@never_cache
@requires("aid.settings")
def plan_new(request):
    actor = request.actor
    orgs = list(Org.objects.filter(path__startswith=actor.org.path, kind="federation").order_by("path")[:200])
    form = PlanForm(request.POST or None, orgs=orgs,
                    initial={"org": actor.org.pk, "year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        org = next(o for o in orgs if str(o.pk) == d["org"])
        try:
            plan = mutual.plan_create(actor=actor, org=org, **{k: d[k] for k in (
                "year", "name", "contribution", "deductible", "ratio", "annual_cap", "fund", "special_rules",
                "budget_account")})
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Plan set up as a draft: open it when units may enrol."))
            return redirect("aid:mutual_plan", pk=plan.pk)
    return render(request, "aid/form.html", {
        "title": _("Set up a plan"), "form": form, "cancel": reverse("aid:mutual_plans"),
        "breadcrumbs": _crumbs(_("Set up a plan"))}, status=422 if request.method == "POST" else 200)


def _counts(plan, actor) -> dict:
    """Claims of the plan by the state the worker sees (an approved claim is paid or refused with its grant): one
    grouped query, however large the plan."""
    from django.db.models import Count

    counts = {s: 0 for s in ClaimState.values}
    rows = (selectors_mutual.claim_scope(actor=actor).filter(plan=plan).values("state", "grant__state")
            .annotate(n=Count("pk")).order_by())
    for row in rows:
        state = row["state"]
        if state == ClaimState.APPROVED and row["grant__state"] in ("paid", "refused"):
            state = ClaimState.PAID if row["grant__state"] == "paid" else ClaimState.REFUSED
        counts[state] += row["n"]
    return counts


@never_cache
@requires("aid.view")
def plan_detail(request, pk: int, publish_form=None, status=200):
    actor = request.actor
    plan = selectors_mutual.plan_get(actor=actor, pk=pk)
    can_settings = actor.can("aid.settings") and actor.covers(plan.org_path)
    can_review = actor.can("aid.review") and actor.covers(plan.org_path)
    counts = _counts(plan, actor)
    return render(request, "aid/mutual_plan.html", {
        "title": str(plan), "p": plan, "part": selectors_mutual.participation(actor=actor, plan=plan),
        "counts": [(label, counts[value], value) for value, label in ClaimState.choices],
        "can_open": can_settings and plan.state == PlanState.DRAFT,
        "can_close": can_settings and plan.state == PlanState.OPEN,
        "can_write": actor.can("aid.write") and plan.state == PlanState.OPEN,
        "can_review": can_review, "publish_form": publish_form or PublishForm(),
        "publications": list(board_mutual.plan_publications(plan)) if can_review else [],
        "breadcrumbs": _crumbs(str(plan))}, status=status)


@require_POST
@requires("aid.settings")
def plan_state(request, pk: int, to: str):
    plan = selectors_mutual.plan_get(actor=request.actor, pk=pk)
    action = mutual.plan_open if to == "open" else mutual.plan_close
    run_action(request, lambda: action(actor=request.actor, plan=plan),
               success=_("Plan opened.") if to == "open" else _("Plan closed."))
    return redirect("aid:mutual_plan", pk=pk)


# --- enrolments ------------------------------------------------------------------------------------------------

@never_cache
@requires("aid.view")
def enrolment_list(request, pk: int):
    actor = request.actor
    plan = selectors_mutual.plan_get(actor=actor, pk=pk)
    units = _units(actor, plan)
    form = UnitFilterForm(request.GET or None, units=units)
    filters = {}
    if form.is_bound and form.is_valid() and form.cleaned_data["unit"]:
        filters["unit"] = next((o for o in units if str(o.pk) == form.cleaned_data["unit"]), None)
    qs = selectors_mutual.enrolment_list(actor=actor, plan=plan, filters=filters)
    cols = [Column(_("Worker"), lambda e: mask_name(e.person.name)),
            Column(_("ID number"), lambda e: mask(e.person.id_number, kind="id_number")),
            Column(_("Unit"), lambda e: e.unit.name), Column(_("Enrolled on"), lambda e: e.enrolled_on,
                                                             sort="enrolled_on"),
            Column(_("Contribution paid"), lambda e: e.contribution)]
    page = ListPage(request, qs, cols, filter_form=form, default_sort="-enrolled_on", export_name="mutual_enrolments",
                    object_type="aid.mutual_plan", export_title=_("Medical mutual aid enrolments"))
    actions = []
    if actor.can("aid.write") and plan.state == PlanState.OPEN:
        actions = [{"label": _("Enrol a worker"), "url": reverse("aid:mutual_enrol", args=[plan.pk])},
                   {"label": _("Enrol from a spreadsheet"), "url": reverse("aid:mutual_import", args=[plan.pk])}]
    return page.response("core/list.html", {
        "title": _("Enrolments of %(p)s") % {"p": plan}, "page_actions": actions,
        "breadcrumbs": _crumbs(_plan_crumb(plan), _("Enrolments"))})


@never_cache
@requires("aid.write")
def enrol_new(request, pk: int):
    actor = request.actor
    plan = selectors_mutual.plan_get(actor=actor, pk=pk)
    units = _units(actor, plan)
    form = EnrolForm(request.POST or None, units=units, initial={"unit": actor.org.pk})
    if request.method == "POST" and form.is_valid():
        from gonghui.core import crypto
        from gonghui.members.models import Person

        d = form.cleaned_data
        unit = next(o for o in units if str(o.pk) == d["unit"])
        number = d["id_number"].strip().upper()
        person = Person.objects.filter(id_number_bidx=crypto.blind_index(number, kind="id_number")).first()
        if person is None or not mutual.active_member_of(person, unit):
            form.add_error("id_number", _("No active member of %(org)s has this ID number.") % {"org": unit.name})
        else:
            try:
                mutual.enrol(actor=actor, plan=plan, unit=unit, person=person, contribution=d["contribution"])
            except ValidationError as exc:
                if hasattr(exc, "error_dict") and "person" in exc.error_dict:
                    exc.error_dict["id_number"] = exc.error_dict.pop("person")
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("%(n)s enrolled.") % {"n": mask_name(person.name)})
                return redirect("aid:mutual_enrolments", pk=plan.pk)
    return render(request, "aid/form.html", {
        "title": _("Enrol a worker"), "form": form, "narrow": True,
        "cancel": reverse("aid:mutual_enrolments", args=[plan.pk]),
        "breadcrumbs": _crumbs(_plan_crumb(plan), _("Enrol a worker"))},
        status=422 if request.method == "POST" else 200)


@never_cache
@requires("aid.write")
def enrol_import(request, pk: int):
    """Upload the enrolments, see every row checked, then confirm (``core.import_page``)."""
    actor = request.actor
    plan = selectors_mutual.plan_get(actor=actor, pk=pk)
    title = _("Enrol from a spreadsheet")

    def shown(read):
        checked = [(mask_name(item["person"].name), item["org"].name, item["contribution"])
                   for _l, item in read.rows]
        return {"checked": checked[:500], "count": len(checked), "total": read.total}

    return checked_import(request, CheckedImport(
        session_key=IMPORT_SESSION_KEY, template="aid/mutual_import.html", form_class=ImportForm,
        context={"title": title, "p": plan, "breadcrumbs": _crumbs(_plan_crumb(plan), title),
                 "columns": [import_mutual.NAMES[c] for c in import_mutual.COLUMNS]},
        rows=lambda data, name: import_mutual.enrol_rows(actor=actor, plan=plan, data=data, filename=name),
        shown=shown, report=import_mutual.report_response,
        write=lambda data, name: import_mutual.enrol_import(actor=actor, plan=plan, data=data, filename=name),
        done=lambda n: _("%(n)s workers enrolled.") % {"n": n},
        success_url=reverse("aid:mutual_enrolments", args=[pk]), retry_url=reverse("aid:mutual_import", args=[pk]),
        bound={"plan": plan.pk}))


@never_cache
@requires("aid.write")
def enrol_template(request, pk: int):
    from gonghui.core.spreadsheets import xlsx_response

    plan = selectors_mutual.plan_get(actor=request.actor, pk=pk)
    return xlsx_response(import_mutual.template(plan), f"{plan.name}-参保名单模板.xlsx")


# --- claims ----------------------------------------------------------------------------------------------------

@never_cache
@requires("aid.view")
def claim_list(request):
    actor = request.actor
    units = _units(actor)
    form = ClaimFilterForm(request.GET or None, units=units)
    filters = {}
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        filters = {"state": d["state"], "month": d["month"],
                   "unit": next((o for o in units if str(o.pk) == d["unit"]), None) if d["unit"] else None}
    qs = selectors_mutual.claim_list(actor=actor, filters=filters)
    cols = [Column(_("No."), lambda c: c.pk, url=lambda c: reverse("aid:mutual_claim", args=[c.pk])),
            Column(_("Plan"), lambda c: str(c.plan)),
            Column(_("Worker"), lambda c: mask_name(c.enrolment.person.name)),
            Column(_("Unit"), lambda c: c.org.name),
            Column(_("Discharged on"), lambda c: c.discharged_on, sort="discharged_on"),
            Column(_("Paid by the worker"), lambda c: c.self_paid), Column(_("Subsidy"), lambda c: c.subsidy),
            Column(_("State"), lambda c: c.get_status_display())]
    page = ListPage(request, qs, cols, filter_form=form, default_sort="-id", export_name="mutual_claims",
                    object_type="aid.mutual_claim", export_title=_("Medical mutual aid claims"))
    actions = []
    if actor.can("aid.write"):
        actions.append({"label": _("File a claim"), "url": reverse("aid:mutual_claim_new")})
    if actor.can("aid.review"):
        actions.append({"label": _("Claims to review"), "url": reverse("aid:mutual_review")})
    return page.response("core/list.html", {"title": _("Medical mutual aid claims"), "page_actions": actions})


def _open_plans(actor):
    return list(selectors_mutual.plan_list(actor=actor, filters={"state": PlanState.OPEN})[:50])


@never_cache
@requires("aid.write")
def claim_new(request):
    actor = request.actor
    plans = _open_plans(actor)
    form = ClaimForm(request.POST or None, plans=plans)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            d = form.cleaned_data
            plan = next(p for p in plans if str(p.pk) == d["plan"])
            enrolment = selectors_mutual.enrolment_find(actor=actor, plan=plan, id_number=d["id_number"])
            if enrolment is None:
                form.add_error("id_number", _("No worker of your area with this ID number is enrolled in %(p)s.")
                               % {"p": plan.name})
            else:
                try:
                    claim = mutual.claim_file(actor=actor, enrolment=enrolment, **{k: d[k] for k in (
                        "admitted_on", "discharged_on", "illness", "special_illness", "total_bill",
                        "insurance_paid", "self_paid", "bank_account")})
                except ValidationError as exc:
                    apply_validation_error(form, exc)
                else:
                    messages.success(request, _("Claim filed: a subsidy of %(a)s yuan, awaiting review.") % {
                        "a": claim.subsidy})
                    return redirect("aid:mutual_claim", pk=claim.pk)
    return render(request, "aid/mutual_claim_form.html", {
        "title": _("File a claim"), "form": form, "cancel": reverse("aid:mutual_claims"), "plans": plans,
        "breadcrumbs": [{"label": _("Medical mutual aid claims"), "url": reverse("aid:mutual_claims")},
                        {"label": _("File a claim")}]}, status=status)


def _claim_page(request, claim, refuse_form=None, status=200):
    actor = request.actor
    reviewer = actor.can("aid.review") and actor.covers(claim.plan.org_path)
    st = claim.status
    return render(request, "aid/mutual_claim.html", {
        "title": _("Claim %(n)s") % {"n": claim.pk}, "c": claim, "status": st,
        "name": mask_name(claim.enrolment.person.name),
        "account": mask(claim.bank_account, kind="bank_account") if claim.bank_account else "",
        "rule": mutual.special_rule(claim.plan, claim.special_illness) if claim.special_illness else None,
        "can_approve": reviewer and st == ClaimState.APPLIED and claim.filed_by_id != actor.user.pk,
        "can_refuse": reviewer and (st == ClaimState.APPLIED or (st == ClaimState.APPROVED
                                                                  and not claim.grant.batch_id)),
        "refuse_form": refuse_form or RefuseForm(),
        "breadcrumbs": [{"label": _("Medical mutual aid claims"), "url": reverse("aid:mutual_claims")},
                        {"label": f"#{claim.pk}"}]}, status=status)


@never_cache
@requires("aid.view")
def claim_detail(request, pk: int):
    return _claim_page(request, selectors_mutual.claim_get(actor=request.actor, pk=pk))


@require_POST
@requires("aid.review")
def claim_approve(request, pk: int):
    claim = selectors_mutual.claim_get(actor=request.actor, pk=pk)
    try:
        mutual.claim_approve(actor=request.actor, claim=claim)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", None) or [str(exc)]))
    else:
        messages.success(request, _("Claim approved: its grant waits for the next payment batch."))
    if request.POST.get("next") == "review":
        return redirect("aid:mutual_review")
    return redirect("aid:mutual_claim", pk=pk)


@require_POST
@requires("aid.review")
def claim_refuse(request, pk: int):
    claim = selectors_mutual.claim_get(actor=request.actor, pk=pk)
    form = RefuseForm(request.POST)
    if run_form(request, form, lambda d: mutual.claim_refuse(actor=request.actor, claim=claim, reason=d["reason"]),
                success=_("Claim refused.")):
        return redirect("aid:mutual_claim", pk=pk)
    return _claim_page(request, selectors_mutual.claim_get(actor=request.actor, pk=pk), refuse_form=form,
                       status=422)


@never_cache
@requires("aid.review")
def review(request):
    qs = selectors_mutual.review_queue(actor=request.actor)[:200]
    return render(request, "aid/mutual_review.html", {
        "title": _("Medical mutual aid claims to review"),
        "claims": [(c, mask_name(c.enrolment.person.name)) for c in qs]})


# --- the public board ------------------------------------------------------------------------------------------

@require_POST
@requires("aid.review")
def claims_publish(request, pk: int):
    plan = selectors_mutual.plan_get(actor=request.actor, pk=pk)
    form = PublishForm(request.POST)
    if form.is_valid():
        run_action(request, lambda: board_mutual.claims_publish(
            actor=request.actor, plan=plan, days=form.cleaned_data["days"]),
            success=_("The paid claims are on the public board."))
        return redirect("aid:mutual_plan", pk=pk)
    return plan_detail(request, pk, publish_form=form, status=422)


@require_POST
@requires("aid.review")
def claims_withdraw(request, pk: int, pub: int):
    actor = request.actor
    plan = selectors_mutual.plan_get(actor=actor, pk=pk)
    publication = get_object_or_404(board_mutual.Publication, pk=pub, kind=board_mutual.KIND, object_id=plan.pk,
                                    org_path__startswith=actor.org.path)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(m for errs in form.errors.values() for m in errs))
        return redirect("aid:mutual_plan", pk=pk)
    run_action(request, lambda: board_mutual.claims_withdraw(
        actor=actor, plan=plan, publication=publication, reason=form.cleaned_data["reason"]),
        success=_("Withdrawn from the board."))
    return redirect("aid:mutual_plan", pk=pk)

