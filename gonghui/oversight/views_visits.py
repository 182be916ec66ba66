"""The field visit pages: the list by period (xlsx export), a visit's page with its units, forums, interviews and
the problems found (each may go on the problem list), the new/edit form (input kept on refusal)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gonghui.core.forms import apply_validation_error
from gonghui.core.listing import Column, ListPage
from gonghui.core.views import requires
from gonghui.orgs.models import Org

from . import casework_links, selectors_visits, visits
from .forms_visits import CaseReferForm, FindingProblemForm, VisitFilterForm, VisitForm
from .models import FieldVisit, FindingFate


def crumbs(*items):
    return [{"label": _("Field visits"), "url": reverse("oversight:visits")}, *({"label": i} for i in items)]


def _name(user) -> str:
    return (user.display_name or user.get_username()) if user else ""


def _columns():
    def url(v):
        return reverse("oversight:visit_detail", args=[v.pk])

    return [
        Column(_("Subject of the visit"), lambda v: v.title, url=url),
        Column(_("Organising unit"), lambda v: v.org.name),
        Column(_("From"), lambda v: v.started_on),
        Column(_("To"), lambda v: v.ended_on),
        Column(_("Team leader"), lambda v: _name(v.leader)),
        Column(_("Units visited"), lambda v: v.n_units if hasattr(v, "n_units") else v.units.count()),
        Column(_("Forums held"), lambda v: v.forums),
        Column(_("Workers at the forums"), lambda v: v.forum_people),
        Column(_("Individual interviews"), lambda v: v.interviews),
        Column(_("Questionnaires handed out"), lambda v: v.questionnaires),
        Column(_("Problems found"), lambda v: v.n_findings if hasattr(v, "n_findings") else v.findings.count()),
        Column(_("Problems solved on the spot"), lambda v: v.solved),
    ]


def _export_columns():
    return [*_columns(),
            Column(_("Units visited (names)"), lambda v: "、".join(u.name for u in v.units.all())),
            Column(_("Problems found (list)"), lambda v: "；".join(f.text for f in v.findings.all())),
            Column(_("What was solved on the spot"), lambda v: v.solved_text)]


@never_cache
@requires("oversight.view")
def visit_list(request):
    actor = request.actor
    form = VisitFilterForm(request.GET or None)
    filters = dict(form.cleaned_data) if form.is_bound and form.is_valid() else {}
    qs = selectors_visits.with_visit_counts(selectors_visits.visit_list(actor=actor, filters=filters))
    export = request.GET.get("export") == "xlsx"
    page = ListPage(request, qs, _export_columns() if export else _columns(), filter_form=form,
                    export_name="visits", object_type="oversight.visit", export_title=_("Field visits"))
    page.queryset = qs.prefetch_related("units", "findings") if export else qs
    actions = [{"label": _("Record a visit"), "url": reverse("oversight:visit_new")}] \
        if actor.can("oversight.write") else []
    return page.response("core/list.html", {"title": _("Field visits: %(org)s") % {"org": actor.org.name},
                                            "page_actions": actions})


def _units_text(visit: FieldVisit) -> str:
    return "\n".join(u.unit.code if u.unit_id else f"{u.name} {u.uscc}" for u in visit.units.select_related("unit"))


def _form_page(request, form, visit=None, status=200):
    title = _("Edit the visit") if visit else _("Record a visit")
    return render(request, "oversight/visit_form.html", {
        "title": title, "form": form, "visit": visit, "breadcrumbs": crumbs(visit.title if visit else title),
    }, status=status)


def _save(request, form, visit=None):
    d = form.cleaned_data
    args = {k: d[k] for k in ("title", "started_on", "ended_on", "leader", "team", "units", "forums",
                              "forum_people", "interviews", "questionnaires", "solved", "solved_text", "summary")}
    if visit is None:
        return visits.visit_create(request.actor, findings=d["findings"], **args)
    return visits.visit_update(request.actor, visit=visit, new_findings=d["findings"], **args)


@never_cache
@requires("oversight.write")
def visit_new(request):
    actor = request.actor
    users = visits.team_candidates(actor=actor)
    if request.method != "POST":
        return _form_page(request, VisitForm(users=users, initial={"leader": actor.user.pk}))
    form = VisitForm(request.POST, users=users)
    if form.is_valid():
        try:
            visit = _save(request, form)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Visit recorded."))
            return redirect("oversight:visit_detail", pk=visit.pk)
    return _form_page(request, form, status=422)


@never_cache
@requires("oversight.write")
def visit_edit(request, pk: int):
    actor = request.actor
    visit = selectors_visits.visit_get(actor=actor, pk=pk)
    users = visits.team_candidates(actor=actor, org=visit.org)
    if request.method != "POST":
        form = VisitForm(users=users, editing=True, initial={
            **{f: getattr(visit, f) for f in ("title", "started_on", "ended_on", "forums", "forum_people",
                                              "interviews", "questionnaires", "solved", "solved_text", "summary")},
            "leader": visit.leader_id, "team": list(visit.team.values_list("pk", flat=True)),
            "units": _units_text(visit)})
        return _form_page(request, form, visit)
    form = VisitForm(request.POST, users=users, editing=True)
    if form.is_valid():
        try:
            _save(request, form, visit)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Visit saved."))
            return redirect("oversight:visit_detail", pk=pk)
    return _form_page(request, form, visit, status=422)


def _units_for_problems(actor, visit):
    ids = [u.unit_id for u in visit.units.all() if u.unit_id]
    units = [visit.org, *Org.objects.filter(pk__in=ids, path__startswith=actor.org.path).order_by("path")]
    return [u for i, u in enumerate(units) if u.pk not in {x.pk for x in units[:i]}]


def _detail(request, visit, *, bound=None, status=200):
    actor = request.actor
    can_write = actor.can("oversight.write")
    can_case = can_write and actor.can("case.write")
    findings = []
    units = _units_for_problems(actor, visit) if can_write else []
    for f in visit.findings.all():
        link = reverse("oversight:problem_detail", args=[f.link_id]) if f.fate == FindingFate.PROBLEM else \
            casework_links.case_url(f)
        form = case_form = None
        if can_write and f.fate == FindingFate.NOTED:
            form = bound if bound is not None and bound.prefix == f"f{f.pk}" else FindingProblemForm(
                units=units, prefix=f"f{f.pk}")
            if can_case:
                case_form = bound if bound is not None and bound.prefix == f"c{f.pk}" else CaseReferForm(
                    prefix=f"c{f.pk}", initial={"subject": f.text[:100]})
        findings.append({"f": f, "link": link, "form": form, "case_form": case_form})
    return render(request, "oversight/visit.html", {
        "title": visit.title, "v": visit, "team": [_name(u) for u in visit.team.order_by("pk")],
        "leader": _name(visit.leader), "units": visit.units.select_related("unit"), "findings": findings,
        "can_write": can_write, "breadcrumbs": crumbs(visit.title),
    }, status=status)


@never_cache
@requires("oversight.view")
def visit_detail(request, pk: int):
    return _detail(request, selectors_visits.visit_get(actor=request.actor, pk=pk))


@require_POST
@requires("oversight.write")
def visit_finding_problem(request, pk: int):
    actor = request.actor
    f = selectors_visits.finding_get(actor=actor, pk=pk)
    visit = f.visit
    form = FindingProblemForm(request.POST, units=_units_for_problems(actor, visit), prefix=f"f{f.pk}")
    if form.is_valid():
        org = next(u for u in _units_for_problems(actor, visit) if u.code == form.cleaned_data["unit"])
        try:
            problem = visits.finding_to_problem(actor, finding=f, org=org)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return redirect("oversight:visit_detail", pk=visit.pk)
        messages.success(request, _("Problem %(number)s put on the problem list.") % {"number": problem.number})
        return redirect("oversight:visit_detail", pk=visit.pk)
    return _detail(request, visit, bound=form, status=422)


@require_POST
@requires("oversight.write")
def visit_finding_case(request, pk: int):
    """File a problem found on a visit as a request case (诉求) at the actor's unit."""
    actor = request.actor
    f = selectors_visits.finding_get(actor=actor, pk=pk)
    visit = f.visit
    if not actor.can("case.write"):
        raise PermissionDenied("case.write")
    form = CaseReferForm(request.POST, prefix=f"c{f.pk}")
    if form.is_valid():
        try:
            case = casework_links.finding_to_case(actor, finding=f, **form.cleaned_data)
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                messages.error(request, "；".join(exc.messages))
                return redirect("oversight:visit_detail", pk=visit.pk)
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Request case %(code)s opened.") % {"code": case.code})
            return redirect("oversight:visit_detail", pk=visit.pk)
    return _detail(request, visit, bound=form, status=422)
