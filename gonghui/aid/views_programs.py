"""Pages of programs, grants, the approval inbox, payment batches and visits."""

import datetime
from itertools import islice

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gonghui.core.forms import apply_validation_error, run_form
from gonghui.core.listing import Column, ListPage
from gonghui.core.spreadsheets import xlsx_response
from gonghui.core.views import requires
from gonghui.orgs.models import Org

from . import programs, rules, selectors_programs, views_warmth
from .archive import mask_name
from .forms_programs import (
    ApplyForm,
    GrantFilterForm,
    PayForm,
    ProgramForm,
    RefuseForm,
    RulesForm,
    VisitForm,
)
from .models import BatchState, GrantState


def _crumbs(label, url_name, *items):
    return [{"label": label, "url": reverse(url_name)}, *({"label": i} for i in items)]


# --- programs --------------------------------------------------------------------------------------------------

@never_cache
@requires("aid.view")
def program_list(request):
    actor = request.actor
    qs = selectors_programs.program_list(actor=actor)
    cols = [Column(_("Program name"), lambda p: p.name, url=lambda p: reverse("aid:program_detail", args=[p.pk])),
            Column(_("Kind"), lambda p: p.get_kind_display()), Column(_("Paying union"), lambda p: p.org.name),
            Column(_("Period"), lambda p: p.period_key), Column(_("Budget"), lambda p: p.budget),
            Column(_("Approved"), lambda p: p.approved_total)]
    page = ListPage(request, qs, cols, default_sort="-start_on")
    actions = [{"label": _("Set up a program"), "url": reverse("aid:program_new")}] \
        if actor.can("aid.settings") else []
    return page.response("core/list.html", {"title": _("Assistance programs"), "page_actions": actions})


def _paying_orgs(actor):
    return Org.objects.filter(path__startswith=actor.org.path, kind="federation").order_by("path")[:200]


@never_cache
@requires("aid.settings")
def program_new(request):
    actor = request.actor
    orgs = list(_paying_orgs(actor))
    form = ProgramForm(request.POST or None, orgs=orgs, initial={"org": actor.org.pk})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        org = next(o for o in orgs if str(o.pk) == d["org"])
        try:
            program = programs.program_create(
                actor=actor, org=org, kind=d["kind"], name=d["name"], period_key=d["period_key"],
                start_on=d["start_on"], end_on=d["end_on"], budget=d["budget"], budget_account=d["budget_account"],
                one_per_person=d["one_per_person"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Program set up."))
            return redirect("aid:program_detail", pk=program.pk)
    return render(request, "aid/form.html", {
        "title": _("Set up a program"), "form": form, "cancel": reverse("aid:programs"),
        "breadcrumbs": _crumbs(_("Assistance programs"), "aid:programs", _("Set up a program"))},
        status=422 if request.method == "POST" else 200)


def _program_page(request, program, rules_form=None, status=200):
    actor = request.actor
    import json

    counts = {s: 0 for s in GrantState.values}
    from django.db.models import Count

    for row in program.grants.values("state").annotate(n=Count("pk")).order_by():
        counts[row["state"]] = row["n"]
    can_settings = actor.can("aid.settings") and actor.covers(program.org_path)
    return render(request, "aid/program.html", {
        "title": str(program), "p": program, "rules_text": rules.describe(program.rules), "counts": counts,
        "states": GrantState, "left": program.budget - program.approved_total,
        "can_settings": can_settings,
        "can_review": actor.can("aid.review") and actor.covers(program.org_path),
        "can_from_archive": views_warmth.can_from_archive(actor, program),
        "can_import": actor.can("aid.write"),
        **views_warmth.board_context(actor, program),
        "rules_form": rules_form or (RulesForm(initial={"rules": json.dumps(program.rules, ensure_ascii=False,
                                                                             indent=1)}) if can_settings else None),
        "batches": selectors_programs.batch_scope(actor=actor).filter(program=program).order_by("-pk")[:50],
        "breadcrumbs": _crumbs(_("Assistance programs"), "aid:programs", str(program)),
    }, status=status)


@never_cache
@requires("aid.view")
def program_detail(request, pk: int):
    return _program_page(request, selectors_programs.program_get(actor=request.actor, pk=pk))


@require_POST
@requires("aid.settings")
def program_rules(request, pk: int):
    program = selectors_programs.program_get(actor=request.actor, pk=pk)
    form = RulesForm(request.POST)
    if run_form(request, form, lambda d: programs.program_set_rules(
            actor=request.actor, program=program, rules=d["rules"]),
            success=_("Rules saved.")):
        return redirect("aid:program_detail", pk=pk)
    return _program_page(request, program, rules_form=form, status=422)


@require_POST
@requires("aid.review")
def batch_new(request, pk: int):
    program = selectors_programs.program_get(actor=request.actor, pk=pk)
    try:
        batch = programs.batch_create(actor=request.actor, program=program)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("aid:program_detail", pk=pk)
    messages.success(request, _("Payment batch made."))
    return redirect("aid:batch_detail", pk=batch.pk)


# --- grants ----------------------------------------------------------------------------------------------------

@never_cache
@requires("aid.view")
def grant_list(request):
    actor = request.actor
    form = GrantFilterForm(request.GET or None)
    filters = dict(form.cleaned_data) if form.is_bound and form.is_valid() else {}
    qs = selectors_programs.grant_list(actor=actor, filters=filters)
    cols = [Column(_("No."), lambda g: g.pk, url=lambda g: reverse("aid:grant_detail", args=[g.pk])),
            Column(_("Program"), lambda g: str(g.program)),
            Column(_("Member"), lambda g: mask_name(g.person.name)),
            Column(_("Union"), lambda g: g.org.name), Column(_("Amount"), lambda g: g.amount),
            Column(_("State"), lambda g: g.get_state_display()), Column(_("Applied at"),
                                                                        lambda g: timezone.localdate(g.created_at))]
    page = ListPage(request, qs, cols, filter_form=form, default_sort="-id", export_name="grants",
                    object_type="aid.grant", export_title=_("Assistance grants"))
    actions = [{"label": _("Apply for a grant"), "url": reverse("aid:grant_apply")}] if actor.can("aid.write") else []
    return page.response("core/list.html", {"title": _("Assistance grants"), "page_actions": actions})


def _apply_page(request, form, status=200):
    return render(request, "aid/form.html", {
        "title": _("Apply for a grant"), "form": form, "cancel": reverse("aid:grants"), "narrow": True,
        "breadcrumbs": _crumbs(_("Assistance grants"), "aid:grants", _("Apply for a grant"))}, status=status)


@never_cache
@requires("aid.write")
def grant_apply(request):
    actor = request.actor
    progs = list(selectors_programs.program_list(actor=actor).filter(end_on__gte=timezone.localdate()
                                                                      - datetime.timedelta(days=366))[:100])
    orgs = list(Org.objects.filter(path__startswith=actor.org.path).order_by("path")[:300])
    form = ApplyForm(request.POST or None, programs=progs, orgs=orgs)
    if request.method != "POST":
        return _apply_page(request, form)
    if form.is_valid():
        d = form.cleaned_data
        program = next(p for p in progs if str(p.pk) == d["program"])
        org = next(o for o in orgs if str(o.pk) == d["org"])
        person = form.person()
        if person is None:
            form.add_error("id_number", _("No member of the registry has this ID number."))
        else:
            try:
                grant = programs.grant_apply(
                    actor=actor, program=program, person=person, org=org, bank_account=d["bank_account"],
                    note=d["note"], facts={k: d[k] for k in ("relationship", "admission_year", "school_level",
                                                             "school_type", "hospital_days")})
            except ValidationError as exc:
                if hasattr(exc, "error_dict") and "person" in exc.error_dict:
                    exc.error_dict["id_number"] = exc.error_dict.pop("person")
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Grant applied for: %(a)s yuan, awaiting approval.") % {"a": grant.amount})
                return redirect("aid:grant_detail", pk=grant.pk)
    return _apply_page(request, form, status=422)


def _grant_page(request, grant, refuse_form=None, status=200, account_form=None):
    actor = request.actor
    can_decide = (actor.can("aid.review") and actor.covers(grant.program.org_path)
                  and grant.applied_by_id != actor.user.pk)
    facts = programs.grant_facts(grant)
    return render(request, "aid/grant.html", {
        "title": _("Grant %(n)s") % {"n": grant.pk}, "g": grant, "name": mask_name(grant.person.name),
        "facts": facts, "can_decide": can_decide and grant.state in (GrantState.APPLIED, GrantState.APPROVED)
        and not grant.batch_id, "applied": grant.state == GrantState.APPLIED,
        "refuse_form": refuse_form or RefuseForm(), **views_warmth.account_context(actor, grant, account_form),
        "breadcrumbs": _crumbs(_("Assistance grants"), "aid:grants", f"#{grant.pk}")}, status=status)


@never_cache
@requires("aid.view")
def grant_detail(request, pk: int):
    return _grant_page(request, selectors_programs.grant_get(actor=request.actor, pk=pk))


@require_POST
@requires("aid.review")
def grant_approve(request, pk: int):
    grant = selectors_programs.grant_get(actor=request.actor, pk=pk)
    try:
        programs.grant_approve(actor=request.actor, grant=grant)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", None) or [str(exc)]))
    else:
        messages.success(request, _("Grant approved."))
    if request.POST.get("next") == "inbox":
        return redirect("aid:inbox")
    return redirect("aid:grant_detail", pk=pk)


@require_POST
@requires("aid.review")
def grant_refuse(request, pk: int):
    grant = selectors_programs.grant_get(actor=request.actor, pk=pk)
    form = RefuseForm(request.POST)
    if run_form(request, form, lambda d: programs.grant_refuse(actor=request.actor, grant=grant, reason=d["reason"]),
                success=_("Grant refused.")):
        return redirect("aid:grant_detail", pk=pk)
    return _grant_page(request, grant, refuse_form=form, status=422)


@never_cache
@requires("aid.review")
def inbox(request):
    qs = selectors_programs.inbox(actor=request.actor)[:200]
    return render(request, "aid/inbox.html", {
        "title": _("Grants awaiting approval"), "grants": [(g, mask_name(g.person.name)) for g in qs]})


# --- payment batches -------------------------------------------------------------------------------------------

def _batch_page(request, batch, form=None, status=200):
    actor = request.actor
    return render(request, "aid/batch.html", {
        "title": _("Payment batch %(n)s") % {"n": batch.pk}, "b": batch,
        "rows": [(mask_name(n), acc, amt) for n, acc, amt, _p in islice(programs.batch_rows(batch), 500)],
        "can_pay": actor.can("aid.review") and batch.state == BatchState.OPEN,
        "can_file": actor.can("aid.review"),
        "form": form or PayForm(initial={"paid_on": timezone.localdate()}),
        "breadcrumbs": _crumbs(_("Assistance programs"), "aid:programs", str(batch.program), f"#{batch.pk}")},
        status=status)


@never_cache
@requires("aid.view")
def batch_detail(request, pk: int):
    return _batch_page(request, selectors_programs.batch_get(actor=request.actor, pk=pk))


@never_cache
@requires("aid.review")
def batch_file(request, pk: int):
    batch = selectors_programs.batch_get(actor=request.actor, pk=pk)
    content = programs.batch_file(actor=request.actor, batch=batch)
    return xlsx_response(content, f"代发文件-{batch.pk}.xlsx")


@require_POST
@requires("aid.review")
def batch_pay(request, pk: int):
    batch = selectors_programs.batch_get(actor=request.actor, pk=pk)
    form = PayForm(request.POST)
    if run_form(request, form, lambda d: programs.batch_pay(
            actor=request.actor, batch=batch, bank_reference=d["bank_reference"], paid_on=d["paid_on"]),
            success=_("Batch paid and posted to the books.")):
        return redirect("aid:batch_detail", pk=pk)
    return _batch_page(request, batch, form=form, status=422)


# --- visits ----------------------------------------------------------------------------------------------------

@never_cache
@requires("aid.view")
def visit_list(request):
    actor = request.actor
    qs = selectors_programs.visit_scope(actor=actor).select_related("org")
    cols = [Column(_("Visited on"), lambda v: v.visited_on, url=lambda v: reverse("aid:visit_detail", args=[v.pk])),
            Column(_("Visited"), lambda v: v.get_target_display()), Column(_("Place"), lambda v: v.place),
            Column(_("Union"), lambda v: v.org.name), Column(_("People (人次)"), lambda v: v.people),
            Column(_("Households (户)"), lambda v: v.households),
            Column(_("Enterprises (家)"), lambda v: v.enterprises),
            Column(_("Cash"), lambda v: v.cash), Column(_("Goods"), lambda v: v.goods_value)]
    page = ListPage(request, qs, cols, default_sort="-visited_on", export_name="aid_visits",
                    object_type="aid.visit", export_title=_("Assistance visits"))
    actions = [{"label": _("Record a visit"), "url": reverse("aid:visit_new")}] if actor.can("aid.write") else []
    return page.response("core/list.html", {"title": _("Assistance visits"), "page_actions": actions})


@never_cache
@requires("aid.write")
def visit_new(request):
    actor = request.actor
    progs = list(selectors_programs.program_list(actor=actor)[:100])
    form = VisitForm(request.POST or None, programs=progs, initial={"visited_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        program = next((p for p in progs if str(p.pk) == d["program"]), None)
        try:
            visit = programs.visit_create(actor=actor, org=actor.org, program=program,
                                          **{k: d[k] for k in ("target", "visited_on", "place", "people",
                                                               "households", "enterprises", "cash", "goods",
                                                               "goods_value")})
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Visit recorded."))
            return redirect("aid:visit_detail", pk=visit.pk)
    return render(request, "aid/form.html", {
        "title": _("Record a visit"), "form": form, "cancel": reverse("aid:visits"), "narrow": True,
        "breadcrumbs": _crumbs(_("Assistance visits"), "aid:visits", _("Record a visit"))},
        status=422 if request.method == "POST" else 200)


@never_cache
@requires("aid.view")
def visit_detail(request, pk: int):
    v = selectors_programs.visit_get(actor=request.actor, pk=pk)
    return render(request, "aid/visit.html", {
        "title": v.place, "v": v, "breadcrumbs": _crumbs(_("Assistance visits"), "aid:visits", v.place)})

