"""The problem pages: the list (filters, review state, xlsx in the 整改台账 layout), a problem's page (the concerned
cadre masked with reveal-with-reason, the review timeline, the source link, the measures, the forms of the current
stage), the new/edit form, the import, and the settings of sources, categories and departments."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gonghui.core import audit
from gonghui.core.forms import apply_validation_error, run_form
from gonghui.core.listing import Column, ListPage
from gonghui.core.models import Outcome
from gonghui.core.reveal import reveal
from gonghui.core.views import requires
from gonghui.orgs.selectors import org_get

from . import problems, selectors_problems
from .forms_problems import (
    GROUP_SEATS,
    DecisionForm,
    DepartmentForm,
    EntryForm,
    FinalizeForm,
    GroupForm,
    ImportForm,
    ProblemFilterForm,
    ProblemForm,
)
from .models import Category, ConcernKind, Problem, Source, Stage


def crumbs(*items):
    return [{"label": _("Problem list"), "url": reverse("oversight:problems")}, *({"label": i} for i in items)]


def concerns_text(p: Problem) -> str:
    """Whom the problem concerns, the cadre's name masked."""
    if p.concerns == ConcernKind.CADRE:
        text = f"{p.get_concerns_display()}：{problems.cadre_masked(p)}"
    else:
        text = str(p.get_concerns_display())
    if p.concerns_org_id:
        text += f"（{p.concerns_org.name}）"
    return text


def _columns():
    def url(p):
        return reverse("oversight:problem_detail", args=[p.pk])

    return [
        Column(_("Number"), lambda p: p.number, url=url),
        Column(_("Problem"), lambda p: p.title, url=url),
        Column(_("Unit"), lambda p: p.org.name),
        Column(_("Source"), lambda p: p.source.name),
        Column(_("Category"), lambda p: p.category.name),
        Column(_("Review state"), problems.review_state),
        Column(_("State"), lambda p: p.get_state_display()),
        Column(_("Filed on"), lambda p: p.created_at.date(), export=lambda p: p.created_at.date()),
    ]


def _ledger_columns():
    """The 整改台账 layout of a problem list: one row a problem, the cadre masked."""
    return [
        Column(_("Number"), lambda p: p.number),
        Column(_("Unit"), lambda p: p.org.name),
        Column(_("Source"), lambda p: p.source.name),
        Column(_("Category"), lambda p: p.category.name),
        Column(_("Problem"), lambda p: p.title),
        Column(_("Description"), lambda p: p.description),
        Column(_("Concerns"), concerns_text),
        Column(_("Review state"), problems.review_state),
        Column(_("Review rounds"), lambda p: p.rounds),
        Column(_("Returns for rework"), lambda p: p.returns),
        Column(_("Approving meeting"), lambda p: p.meeting_name),
        Column(_("Meeting date"), lambda p: p.meeting_on),
        Column(_("Rectification state"), lambda p: p.get_state_display()),
        Column(_("Closed on"), lambda p: p.closed_at.date() if p.closed_at else None),
    ]


def _filters(request, actor):
    form = ProblemFilterForm(request.GET or None, actor=actor)
    filters = dict(form.cleaned_data) if form.is_bound and form.is_valid() else {}
    if code := (filters.pop("org", "") or "").strip():
        filters["org"] = org_get(actor=actor, code=code.upper())
    return form, filters


@never_cache
@requires("oversight.view")
def problem_list(request):
    actor = request.actor
    form, filters = _filters(request, actor)
    qs = selectors_problems.problem_list(actor=actor, filters=filters)
    if request.GET.get("export") == "xlsx":
        page = ListPage(request, qs, _ledger_columns(), filter_form=form, export_name="problems",
                        object_type="oversight.problem", export_title=_("Problem list (rectification ledger)"))
        page.queryset = qs
        return page.export()
    page = ListPage(request, qs, _columns(), filter_form=form, export_name="problems",
                    object_type="oversight.problem", export_title=_("Problem list (rectification ledger)"))
    page.queryset = qs  # newest first, as the index serves it
    page.paginate()
    page.rows_objects = [(p, problems.review_state(p)) for p in page.page.object_list]
    return render(request, "oversight/problems.html", {
        "title": _("Problem list: %(org)s") % {"org": actor.org.name}, "listing": page,
        "can_write": actor.can("oversight.write"),
    })


def _link(p: Problem) -> str:
    """The page of the object the problem came from, when there is one the reader may open."""
    try:
        if p.link_kind == "funds.alert" and p.link_id:
            return reverse("funds:alert_detail", args=[p.link_id])
        if p.link_kind == "funds.finding" and p.link_id:
            from gonghui.funds.models import AuditFinding

            f = AuditFinding.objects.filter(pk=p.link_id).select_related("audit__org").first()
            return reverse("funds:audit_detail", args=[f.audit.org.code, f.audit.year]) if f else ""
    except NoReverseMatch:
        return ""
    return ""


def _detail(request, p: Problem, bound: dict | None = None, status: int = 200):
    actor = request.actor
    bound = bound or {}
    joint = problems.joint_state(p)
    actions = []
    can_write, can_review = actor.can("oversight.write"), actor.can("oversight.review")
    if p.stage == Stage.DRAFT and can_write:
        actions.append({"name": "submit", "label": _("Submit for the first review"), "form": None})
    if p.stage == Stage.FIRST and (can_write or can_review):
        actions.append({"name": "first", "label": _("First review"), "form": bound.get("first") or DecisionForm()})
    if p.stage == Stage.JOINT and can_review:
        group = bound.get("group") or GroupForm(
            users=problems.reviewer_candidates(p), departments=problems.department_candidates(p),
            initial={k: v for i, m in enumerate(joint["members"], start=1)
                     for k, v in ((f"user_{i}", m.user_id), (f"department_{i}", m.department_id))})
        actions.append({"name": "group", "label": _("Joint review group"), "form": group, "seats": True})
        seat = actor.user is not None and any(m.user_id == actor.user.pk for m in joint["members"])
        if seat and actor.user.pk not in joint["passed"] and not p.reviews.filter(
                stage=Stage.JOINT, round=p.rounds, reviewer=actor.user).exists():
            actions.append({"name": "joint", "label": _("Joint review opinion"),
                            "form": bound.get("joint") or DecisionForm()})
        if joint["ready"]:
            actions.append({"name": "finalize", "label": _("Finalise"),
                            "form": bound.get("finalize") or FinalizeForm()})
    for a in actions:
        a["url"] = reverse("oversight:problem_action", args=[p.pk, a["name"]])
    return render(request, "oversight/problem.html", {
        "title": f"{p.number} {p.title}", "p": p, "review_state": problems.review_state(p),
        "concerns": concerns_text(p), "can_reveal": bool(p.cadre_name) and actor.can("personal.reveal"),
        "reviews": selectors_problems.problem_reviews(problem=p), "joint": joint, "actions": actions,
        "source_url": _link(p), "measures": list(p.measures.select_related("owner").order_by("due_on", "pk")),
        "can_edit": p.stage == Stage.DRAFT and can_write, "can_add_measure": can_write,
        "breadcrumbs": crumbs(p.number),
    }, status=status)


@never_cache
@requires("oversight.view")
def problem_detail(request, pk: int):
    return _detail(request, selectors_problems.problem_get(actor=request.actor, pk=pk))


@require_POST
@requires("oversight.write", "oversight.review")
def problem_action(request, pk: int, action: str):
    actor = request.actor
    p = selectors_problems.problem_get(actor=actor, pk=pk)
    done = {"submit": _("Submitted for the first review."), "first": _("First review recorded."),
            "group": _("Joint review group saved."), "joint": _("Opinion recorded."),
            "finalize": _("The problem is final and enters the ledger.")}
    if action not in done:
        return redirect("oversight:problem_detail", pk=pk)
    if action == "group":
        form = GroupForm(request.POST, users=problems.reviewer_candidates(p),
                         departments=problems.department_candidates(p))
    elif action in ("first", "joint"):
        form = DecisionForm(request.POST)
    elif action == "finalize":
        form = FinalizeForm(request.POST)
    else:
        form = None
    if form is None or form.is_valid():
        data = form.cleaned_data if form is not None else {}
        try:
            if action == "submit":
                problems.problem_submit(actor, problem=p)
            elif action == "first":
                problems.problem_first_review(actor, problem=p, decision=data["decision"], opinion=data["opinion"])
            elif action == "joint":
                problems.problem_joint_review(actor, problem=p, decision=data["decision"], opinion=data["opinion"])
            elif action == "finalize":
                problems.problem_finalize(actor, problem=p, meeting_name=data["meeting_name"],
                                          meeting_on=data["meeting_on"])
            else:
                users = {u.pk: u for u in problems.reviewer_candidates(p)}
                deps = {d.pk: d for d in problems.department_candidates(p)}
                members = [(users.get(data.get(f"user_{i}")), deps.get(data.get(f"department_{i}")))
                           for i in range(1, GROUP_SEATS + 1) if data.get(f"user_{i}")]
                problems.problem_group_set(actor, problem=p, members=members)
        except ValidationError as exc:
            if form is None:
                messages.error(request, "；".join(exc.messages))
                return redirect("oversight:problem_detail", pk=pk)
            apply_validation_error(form, exc)
        else:
            messages.success(request, done[action])
            return redirect("oversight:problem_detail", pk=pk)
    p.refresh_from_db()
    return _detail(request, p, bound={action: form}, status=422)


@require_POST
@requires("oversight.view")
def problem_reveal(request, pk: int):
    actor = request.actor
    p = selectors_problems.problem_get(actor=actor, pk=pk)
    reason = (request.POST.get("reason") or "").strip()
    if len(reason) < 2:
        audit.record(actor=actor, action="personal.reveal", object_type="oversight.problem", object_id=p.pk,
                     scope_path=p.org_path, outcome=Outcome.DENIED, details={"why": "no reason"})
        return HttpResponse(format_html('<span class="text-danger">{}</span>', _("Say why you need to see it.")),
                            status=422)
    value = reveal(actor=actor, obj=p, field_name="cadre_name", reason=reason, object_type="oversight.problem",
                   object_id=str(p.pk), scope_path=p.org_path)
    response = HttpResponse(format_html('<span class="gh-revealed">{}</span>', value))
    response["Cache-Control"] = "no-store"
    return response


def _form_page(request, form, p: Problem | None, status: int = 200):
    title = _("Edit problem %(number)s") % {"number": p.number} if p else _("New problem")
    return render(request, "oversight/problem_form.html", {
        "title": title, "form": form, "p": p, "breadcrumbs": crumbs(p.number if p else _("New problem")),
    }, status=status)


def _concerns_org(actor, code):
    code = (code or "").strip()
    return org_get(actor=actor, code=code.upper()) if code else None


@never_cache
@requires("oversight.write")
def problem_new(request):
    actor = request.actor
    if request.method != "POST":
        return _form_page(request, ProblemForm(actor=actor), None)
    form = ProblemForm(request.POST, actor=actor)
    if form.is_valid():
        d = form.cleaned_data
        try:
            org = _concerns_org(actor, d["org"]) or actor.org
            p = problems.problem_create(actor, org=org, source=d["source"], category=d["category"], title=d["title"],
                                        description=d["description"], concerns=d["concerns"],
                                        cadre_name=d["cadre_name"], concerns_org=_concerns_org(actor,
                                                                                               d["concerns_org"]))
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Problem %(number)s filed.") % {"number": p.number})
            return redirect("oversight:problem_detail", pk=p.pk)
    return _form_page(request, form, None, status=422)


@never_cache
@requires("oversight.write")
def problem_edit(request, pk: int):
    actor = request.actor
    p = selectors_problems.problem_get(actor=actor, pk=pk)
    if p.stage != Stage.DRAFT:
        messages.error(request, _("Only a draft can be edited."))
        return redirect("oversight:problem_detail", pk=pk)
    if request.method != "POST":
        form = ProblemForm(actor=actor, initial={
            "source": p.source_id, "category": p.category_id, "title": p.title, "description": p.description,
            "concerns": p.concerns, "cadre_name": p.cadre_name,
            "concerns_org": p.concerns_org.code if p.concerns_org_id else ""})
        del form.fields["org"]
        return _form_page(request, form, p)
    form = ProblemForm(request.POST, actor=actor)
    del form.fields["org"]
    if form.is_valid():
        d = form.cleaned_data
        try:
            problems.problem_update(actor, problem=p, source=d["source"], category=d["category"], title=d["title"],
                                    description=d["description"], concerns=d["concerns"],
                                    cadre_name=d["cadre_name"], concerns_org=_concerns_org(actor, d["concerns_org"]))
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Problem saved."))
            return redirect("oversight:problem_detail", pk=pk)
    return _form_page(request, form, p, status=422)


@never_cache
@requires("oversight.write")
def problem_import(request):
    from . import import_problems

    actor = request.actor
    result, status = None, 200
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        data = f.read()
        if request.POST.get("report"):
            read = import_problems.problem_rows(actor=actor, data=data, filename=f.name)
            return import_problems.report_response(read)
        try:
            added = import_problems.problem_import(actor=actor, data=data, filename=f.name)
        except ValidationError as exc:
            result, status = {"problems": exc.messages}, 422
        else:
            messages.success(request, _("%(n)s problems imported.") % {"n": len(added)})
            return redirect("oversight:problems")
    elif request.method == "POST":
        status = 422
    return render(request, "oversight/problem_import.html", {
        "title": _("Import a problem list"), "form": form, "result": result,
        "headers": import_problems.HEADER_HELP, "breadcrumbs": crumbs(_("Import a problem list")),
    }, status=status)


# --- settings: sources and categories (the federation's lists), departments (per unit) --------------------------

LIST_TITLES = {"sources": gettext_lazy("Problem sources"), "categories": gettext_lazy("Problem categories")}
LIST_MODELS = {"sources": Source, "categories": Category}


def _top_federation(actor) -> None:
    """The lists are the whole federation's: they are kept by the staff of the top unit."""
    actor.require("oversight.settings")
    if actor.org.depth != 1:
        raise PermissionDenied("oversight.settings")


def _list_page(request, kind: str, form=None, status: int = 200):
    entries = [(e, EntryForm(initial={"name": e.name, "active": e.active}, prefix=f"e{e.pk}"))
               for e in LIST_MODELS[kind].objects.order_by("order", "pk")]
    return render(request, "oversight/problem_lists.html", {
        "title": LIST_TITLES[kind], "kind": kind, "entries": entries, "form": form or EntryForm(),
        "can_edit": request.actor.can("oversight.settings") and request.actor.org.depth == 1,
        "url_name": f"oversight:{kind}", "entry_url_name": f"oversight:{kind}_entry",
    }, status=status)


def _list_view(kind: str):
    @never_cache
    @requires("oversight.view")
    def view(request):
        if request.method == "POST":
            _top_federation(request.actor)
            form = EntryForm(request.POST)
            if run_form(request, form, lambda d: problems.entry_add(request.actor, kind=kind, name=d["name"]),
                        success=_("Added.")):
                return redirect(f"oversight:{kind}")
            return _list_page(request, kind, form, status=422)
        return _list_page(request, kind)
    view.__name__ = f"{kind}_list"
    return view


def _entry_view(kind: str):
    @require_POST
    @requires("oversight.settings")
    def view(request, pk: int):
        _top_federation(request.actor)
        entry = LIST_MODELS[kind].objects.filter(pk=pk).first()
        if entry is None:
            from django.http import Http404
            raise Http404
        op = request.POST.get("op", "save")
        try:
            if op in ("up", "down"):
                problems.entry_move(request.actor, kind=kind, entry=entry, up=op == "up")
            elif op == "delete":
                problems.entry_delete(request.actor, kind=kind, entry=entry)
            else:
                form = EntryForm(request.POST, prefix=f"e{pk}")
                if not form.is_valid():
                    raise ValidationError(form.errors.get("name") or _("Give the entry a name."))
                problems.entry_save(request.actor, kind=kind, entry=entry, name=form.cleaned_data["name"],
                                    active=form.cleaned_data["active"])
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return _list_page(request, kind, status=422)
        messages.success(request, _("Saved."))
        return redirect(f"oversight:{kind}")
    view.__name__ = f"{kind}_entry"
    return view


sources_list, sources_entry = _list_view("sources"), _entry_view("sources")
categories_list, categories_entry = _list_view("categories"), _entry_view("categories")


def _departments_page(request, org, form=None, status: int = 200):
    actor = request.actor
    deps = [(d, DepartmentForm(initial={"name": d.name, "active": d.active}, prefix=f"d{d.pk}"))
            for d in selectors_problems.department_list(actor=actor, org=org)]
    return render(request, "oversight/problem_departments.html", {
        "title": _("Departments: %(org)s") % {"org": org.name}, "org": org, "departments": deps,
        "form": form or DepartmentForm(), "can_edit": actor.can("oversight.write"),
    }, status=status)


@never_cache
@requires("oversight.view")
def departments(request):
    actor = request.actor
    code = (request.GET.get("org") or request.POST.get("org") or "").strip()
    org = org_get(actor=actor, code=code.upper()) if code else actor.org
    if request.method == "POST":
        actor.require("oversight.write")
        form = DepartmentForm(request.POST)
        if run_form(request, form, lambda d: problems.department_add(actor, org=org, name=d["name"]),
                    success=_("Added.")):
            return redirect(reverse("oversight:departments") + f"?org={org.code}")
        return _departments_page(request, org, form, status=422)
    return _departments_page(request, org)


@require_POST
@requires("oversight.write")
def department_save(request, pk: int):
    actor = request.actor
    dep = selectors_problems.department_get(actor=actor, pk=pk)
    form = DepartmentForm(request.POST, prefix=f"d{pk}")
    try:
        if not form.is_valid():
            raise ValidationError(form.errors.get("name") or _("Give the department a name."))
        problems.department_save(actor, department=dep, name=form.cleaned_data["name"],
                                 active=form.cleaned_data["active"])
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return _departments_page(request, dep.org, status=422)
    messages.success(request, _("Saved."))
    return redirect(reverse("oversight:departments") + f"?org={dep.org.code}")
