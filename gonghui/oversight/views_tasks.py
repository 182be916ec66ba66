"""The key-task pages (the year's list in its 责任清单 and 进度清单 views, xlsx of each, a task's page with its
milestones, progress reports and completion, new/edit) and the target pages (the cards of the year, a department's
card through its five steps — printable —, declaring, and the scores per department with xlsx)."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gonghui.core.forms import DateInput, StyledForm, apply_validation_error, run_action
from gonghui.core.import_page import MAX_BYTES, CheckedImport, checked_import
from gonghui.core.listing import Column, ListPage
from gonghui.core.views import requires

from . import keytasks, selectors_tasks, targets
from .models import Department, TargetState, TaskKind

ALL = gettext_lazy("All")
MILESTONE_ROWS = 6
TARGET_ROWS = 8


def _crumbs(root_label, root_url, *items):
    return [{"label": root_label, "url": reverse(root_url)}, *({"label": i} for i in items)]


def task_crumbs(*items):
    return _crumbs(_("Key tasks"), "oversight:tasks", *items)


def target_crumbs(*items):
    return _crumbs(_("Target management"), "oversight:targets", *items)


def _this_year() -> int:
    return timezone.localdate().year


def _users_of(org):
    return get_user_model().objects.filter(grants__org__path__startswith=org.path).distinct().order_by("pk")


# --- key tasks ---

class TaskFilterForm(StyledForm):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100, required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=[("", ALL), *TaskKind.choices], required=False)
    lead = forms.ModelChoiceField(label=gettext_lazy("Lead department"), queryset=None, required=False,
                                  empty_label=ALL)

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["lead"]
        field.queryset = selectors_tasks.lead_departments(actor=actor) if actor is not None else \
            Department.objects.none()
        own = actor.org.pk if actor is not None else None
        field.label_from_instance = lambda d: d.name if d.org_id == own else f"{d.org.name} · {d.name}"


class TaskForm(StyledForm):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=TaskKind.choices)
    title = forms.CharField(label=gettext_lazy("Task"), max_length=200)
    content = forms.CharField(label=gettext_lazy("Content"), widget=forms.Textarea(attrs={"rows": 3}),
                              max_length=4000, required=False)
    lead = forms.ModelChoiceField(label=gettext_lazy("Lead department"), queryset=None)
    owner = forms.ModelChoiceField(label=gettext_lazy("Owner"), queryset=None)
    cooperating = forms.ModelMultipleChoiceField(label=gettext_lazy("Cooperating departments"), queryset=None,
                                                 required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, org, milestones: bool, **kwargs):
        super().__init__(*args, **kwargs)
        depts = selectors_tasks.departments(org=org)
        self.fields["lead"].queryset = depts
        self.fields["cooperating"].queryset = depts
        self.fields["owner"].queryset = _users_of(org)
        self.fields["owner"].label_from_instance = lambda u: u.display_name or u.username
        self.milestone_rows = []
        if milestones:
            for i in range(MILESTONE_ROWS):
                self.fields[f"m{i}_title"] = forms.CharField(label=gettext_lazy("Milestone"), max_length=200,
                                                             required=False)
                self.fields[f"m{i}_due"] = forms.DateField(label=gettext_lazy("Deadline"), required=False,
                                                           widget=DateInput())
                self.fields[f"m{i}_title"].widget.attrs["class"] = "form-control"
                self.fields[f"m{i}_due"].widget.attrs["class"] = "form-control"
                self.milestone_rows.append((self[f"m{i}_title"], self[f"m{i}_due"]))

    def milestones(self):
        return [(self.cleaned_data.get(f"m{i}_title"), self.cleaned_data.get(f"m{i}_due"))
                for i in range(MILESTONE_ROWS)]


class MilestoneForm(StyledForm):
    title = forms.CharField(label=gettext_lazy("Milestone"), max_length=200)
    due_on = forms.DateField(label=gettext_lazy("Deadline"), widget=DateInput())


class ReportForm(StyledForm):
    text = forms.CharField(label=gettext_lazy("Progress"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    percent = forms.IntegerField(label=gettext_lazy("Progress (%)"), min_value=0, max_value=100)
    on = forms.DateField(label=gettext_lazy("Date"), widget=DateInput(), required=False)


class DoneForm(StyledForm):
    result = forms.CharField(label=gettext_lazy("Result"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    done_on = forms.DateField(label=gettext_lazy("Done on"), widget=DateInput(), required=False)


def _task_url(t):
    return reverse("oversight:task_detail", args=[t.pk])


def _coop(t) -> str:
    return "、".join(d.name for d in t.cooperating.all())


def _duty_columns():
    return [
        Column(_("Year"), lambda t: t.year, sort="year"),
        Column(_("Kind"), lambda t: t.get_kind_display()),
        Column(_("Task"), lambda t: t.title, url=_task_url),
        Column(_("Content"), lambda t: t.content),
        Column(_("Unit"), lambda t: t.org.name),
        Column(_("Lead department"), lambda t: t.lead.name),
        Column(_("Owner"), lambda t: t.owner.display_name or t.owner.username),
        Column(_("Cooperating departments"), _coop),
    ]


def _stones(t) -> str:
    return "；".join(f"{m.title}（{m.due_on:%Y-%m-%d}{'，' + _('done') if m.done_on else ''}）"
                    for m in t.milestones.all())


def _latest(t) -> str:
    reports = list(t.reports.all())
    return f"{reports[0].on:%Y-%m-%d} {reports[0].text}" if reports else ""


def _state(t) -> str:
    if t.done_on:
        return _("Done on %(d)s") % {"d": f"{t.done_on:%Y-%m-%d}"}
    today = timezone.localdate()
    colors = {keytasks.milestone_color(m, today) for m in t.milestones.all()}
    if "red" in colors:
        return _("Milestone overdue")
    if "blue" in colors:
        return _("Milestone due soon")
    return _("In progress")


def _progress_columns():
    return [
        Column(_("Kind"), lambda t: t.get_kind_display()),
        Column(_("Task"), lambda t: t.title, url=_task_url),
        Column(_("Lead department"), lambda t: t.lead.name),
        Column(_("Milestones"), _stones),
        Column(_("Latest progress"), _latest),
        Column(_("Progress (%)"), lambda t: t.percent, sort="percent"),
        Column(_("State"), _state),
    ]


VIEWS = {"duty": gettext_lazy("Responsibility list"), "progress": gettext_lazy("Progress list")}


@never_cache
@requires("oversight.view")
def task_list(request):
    actor = request.actor
    form = TaskFilterForm(request.GET or None, actor=actor)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    year = data.get("year") or _this_year()
    view = request.GET.get("view", "duty")
    view = view if view in VIEWS else "duty"
    qs = selectors_tasks.task_list(actor=actor, year=year, kind=data.get("kind") or "", lead=data.get("lead"))
    qs = qs.prefetch_related("cooperating") if view == "duty" else selectors_tasks.with_progress(qs)
    columns = _duty_columns() if view == "duty" else _progress_columns()
    title = _("%(year)s key tasks: %(view)s") % {"year": year, "view": VIEWS[view]}
    page = ListPage(request, qs, columns, filter_form=form, default_sort="kind", export_name="key-tasks",
                    object_type="oversight.task", export_title=title)
    base = request.GET.copy()
    base.pop("page", None)
    tabs = []
    for key, label in VIEWS.items():
        base["view"] = key
        tabs.append({"label": label, "url": "?" + base.urlencode(), "active": key == view})
    actions = [{"label": _("New key task"), "url": reverse("oversight:task_new")},
               {"label": _("Import a key-task list"), "url": reverse("oversight:task_import"), "id": "task-import"}] \
        if actor.can("oversight.write") else []
    return page.response("oversight/tasks.html", {"title": title, "tabs": tabs, "page_actions": actions})


def _task_form_page(request, form, task=None, status=200):
    title = _("Edit key task") if task else _("New key task")
    return render(request, "oversight/task_form.html", {
        "title": title, "form": form, "task": task,
        "breadcrumbs": task_crumbs(*( [task.title] if task else []), title)}, status=status)


@never_cache
@requires("oversight.write")
def task_new(request):
    actor = request.actor
    org = actor.org
    form = TaskForm(request.POST or None, org=org, milestones=True, initial={"year": _this_year()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            task = keytasks.task_create(actor=actor, org=org, year=d["year"], kind=d["kind"], title=d["title"],
                                        content=d["content"], lead=d["lead"], owner=d["owner"],
                                        cooperating=list(d["cooperating"]), milestones=form.milestones())
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Key task added."))
            return redirect("oversight:task_detail", pk=task.pk)
    return _task_form_page(request, form, status=422 if request.method == "POST" else 200)


@never_cache
@requires("oversight.write")
def task_edit(request, pk: int):
    actor = request.actor
    task = selectors_tasks.task_get(actor=actor, pk=pk)
    initial = {"year": task.year, "kind": task.kind, "title": task.title, "content": task.content,
               "lead": task.lead, "owner": task.owner, "cooperating": list(task.cooperating.all())}
    form = TaskForm(request.POST or None, org=task.org, milestones=False, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            keytasks.task_update(actor=actor, task=task, year=d["year"], kind=d["kind"], title=d["title"],
                                 content=d["content"], lead=d["lead"], owner=d["owner"],
                                 cooperating=list(d["cooperating"]))
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Key task saved."))
            return redirect("oversight:task_detail", pk=task.pk)
    return _task_form_page(request, form, task, status=422 if request.method == "POST" else 200)


def _task_page(request, task, bound=None, status=200):
    actor = request.actor
    bound = bound or {}
    today = timezone.localdate()
    stones = [{"m": m, "color": keytasks.milestone_color(m, today)} for m in task.milestones.all()]
    can_write = actor.can("oversight.write") and not task.done_on
    return render(request, "oversight/task.html", {
        "title": task.title, "task": task, "milestones": stones, "reports": task.reports.select_related("by"),
        "cooperating": _coop(task), "can_write": can_write, "can_edit": actor.can("oversight.write"),
        "milestone_form": bound.get("milestone") or MilestoneForm(),
        "report_form": bound.get("report") or ReportForm(initial={"percent": task.percent}),
        "done_form": bound.get("done") or DoneForm(),
        "breadcrumbs": task_crumbs(task.title),
    }, status=status)


@never_cache
@requires("oversight.view")
def task_detail(request, pk: int):
    return _task_page(request, selectors_tasks.task_get(actor=request.actor, pk=pk))


TASK_ACTIONS = {"milestone": MilestoneForm, "report": ReportForm, "done": DoneForm}
TASK_DONE = {"milestone": gettext_lazy("Milestone added."), "report": gettext_lazy("Progress reported."),
             "done": gettext_lazy("Key task done.")}


@require_POST
@requires("oversight.write")
def task_action(request, pk: int, action: str):
    actor = request.actor
    task = selectors_tasks.task_get(actor=actor, pk=pk)
    if action not in TASK_ACTIONS:
        return redirect("oversight:task_detail", pk=pk)
    form = TASK_ACTIONS[action](request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            if action == "milestone":
                keytasks.milestone_add(actor=actor, task=task, title=d["title"], due_on=d["due_on"])
            elif action == "report":
                keytasks.report_add(actor=actor, task=task, text=d["text"], percent=d["percent"], on=d["on"])
            else:
                keytasks.task_done(actor=actor, task=task, result=d["result"], done_on=d["done_on"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, str(TASK_DONE[action]))
            return redirect("oversight:task_detail", pk=pk)
    return _task_page(request, task, bound={action: form}, status=422)


@require_POST
@requires("oversight.write")
def milestone_done(request, pk: int):
    actor = request.actor
    milestone = selectors_tasks.milestone_get(actor=actor, pk=pk)
    run_action(request, lambda: keytasks.milestone_done(actor=actor, milestone=milestone),
               success=_("Milestone done."))
    return redirect("oversight:task_detail", pk=milestone.task_id)


# --- targets ---

class TargetFilterForm(StyledForm):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100, required=False)
    state = forms.ChoiceField(label=gettext_lazy("State"), choices=[("", ALL), *TargetState.choices],
                              required=False)


class DeclareForm(StyledForm):
    department = forms.ModelChoiceField(label=gettext_lazy("Department"), queryset=None)
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = selectors_tasks.departments(org=org)
        self.rows = []
        for i in range(TARGET_ROWS):
            self.fields[f"t{i}_title"] = forms.CharField(max_length=200, required=False)
            self.fields[f"t{i}_weight"] = forms.CharField(max_length=10, required=False)
            self.fields[f"t{i}_indicator"] = forms.CharField(max_length=200, required=False)
            for f in ("title", "weight", "indicator"):
                self.fields[f"t{i}_{f}"].widget.attrs["class"] = "form-control form-control-sm"
            self.rows.append((self[f"t{i}_title"], self[f"t{i}_weight"], self[f"t{i}_indicator"]))

    def items(self):
        return [{"title": self.cleaned_data.get(f"t{i}_title"), "weight": self.cleaned_data.get(f"t{i}_weight"),
                 "indicator": self.cleaned_data.get(f"t{i}_indicator")} for i in range(TARGET_ROWS)]


def _plan_url(p):
    return reverse("oversight:target_detail", args=[p.pk])


def _target_columns():
    return [
        Column(_("Year"), lambda p: p.year, sort="year"),
        Column(_("Unit"), lambda p: p.org.name),
        Column(_("Department"), lambda p: p.department.name, url=_plan_url),
        Column(_("State"), lambda p: p.get_state_display()),
        Column(_("Total score"), lambda p: p.total_score),
        Column(_("Grade"), lambda p: p.grade),
    ]


@never_cache
@requires("oversight.view")
def target_list(request):
    actor = request.actor
    form = TargetFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    year = data.get("year") or _this_year()
    qs = selectors_tasks.target_list(actor=actor, year=year, state=data.get("state") or "")
    title = _("%(year)s target management: scores by department") % {"year": year}
    page = ListPage(request, qs, _target_columns(), filter_form=form, default_sort="-total_score",
                    export_name="targets", object_type="oversight.target", export_title=title)
    actions = [{"label": _("Declare targets"), "url": reverse("oversight:target_new")}] \
        if actor.can("oversight.write") else []
    return page.response(context={"title": title, "page_actions": actions})


def _declare_page(request, form, plan=None, status=200):
    return render(request, "oversight/target_form.html", {
        "title": _("Declare targets"), "form": form, "plan": plan,
        "breadcrumbs": target_crumbs(_("Declare targets"))}, status=status)


@never_cache
@requires("oversight.write")
def target_new(request):
    actor = request.actor
    plan = None
    initial = {"year": _this_year()}
    if pk := request.GET.get("plan"):
        plan = selectors_tasks.target_get(actor=actor, pk=pk)
        initial = {"year": plan.year, "department": plan.department}
        for i, item in enumerate(plan.items.all()[:TARGET_ROWS]):
            initial.update({f"t{i}_title": item.title, f"t{i}_weight": item.weight, f"t{i}_indicator": item.indicator})
    form = DeclareForm(request.POST or None, org=plan.org if plan else actor.org, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            plan = targets.target_declare(actor=actor, department=form.cleaned_data["department"],
                                          year=form.cleaned_data["year"], items=form.items())
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Targets declared."))
            return redirect("oversight:target_detail", pk=plan.pk)
    return _declare_page(request, form, plan, status=422 if request.method == "POST" else 200)


def _target_page(request, plan, error=None, posted=None, status=200):
    actor = request.actor
    items = list(plan.items.all())
    posted = posted or {}
    for item in items:
        item.posted_summary = posted.get(f"summary_{item.pk}", item.summary)
        item.posted_completion = posted.get(f"completion_{item.pk}", item.completion)
        item.posted_score = posted.get(f"score_{item.pk}", "" if item.score is None else item.score)
    S = TargetState
    step = {S.DECLARED: "approve", S.APPROVED: "summarise", S.SUMMARISED: "review",
            S.REVIEWED: "evaluate"}.get(plan.state, "")
    perm = {"approve": "oversight.review", "summarise": "oversight.write", "review": "oversight.review",
            "evaluate": "oversight.review"}.get(step)
    return render(request, "oversight/target.html", {
        "title": _("Target card: %(dept)s, %(year)s") % {"dept": plan.department.name, "year": plan.year},
        "plan": plan, "items": items, "weight": sum(i.weight for i in items), "step": step if perm and
        actor.can(perm) else "", "error": error, "posted_evaluation": posted.get("evaluation", plan.evaluation),
        "can_redeclare": plan.state == S.DECLARED and actor.can("oversight.write"),
        "steps": [{"label": label, "done": i <= list(S.values).index(plan.state)}
                  for i, (_v, label) in enumerate(S.choices)],
        "breadcrumbs": target_crumbs(f"{plan.department.name} {plan.year}"),
    }, status=status)


@never_cache
@requires("oversight.view")
def target_detail(request, pk: int):
    return _target_page(request, selectors_tasks.target_get(actor=request.actor, pk=pk))


@require_POST
@requires("oversight.write", "oversight.review")
def target_step(request, pk: int, action: str):
    actor = request.actor
    plan = selectors_tasks.target_get(actor=actor, pk=pk)
    ids = list(plan.items.values_list("pk", flat=True))
    step = action
    p = request.POST
    try:
        if step == "approve":
            targets.target_approve(actor=actor, plan=plan)
        elif step == "summarise":
            targets.target_summarise(actor=actor, plan=plan, summaries={i: p.get(f"summary_{i}", "") for i in ids})
        elif step == "review":
            targets.target_review(actor=actor, plan=plan, results={
                i: (p.get(f"completion_{i}", ""), p.get(f"score_{i}", "")) for i in ids})
        elif step == "evaluate":
            targets.target_evaluate(actor=actor, plan=plan, evaluation=p.get("evaluation", ""))
        else:
            return redirect("oversight:target_detail", pk=pk)
    except ValidationError as exc:
        return _target_page(request, plan, error="；".join(exc.messages), posted=p, status=422)
    messages.success(request, _("Target card saved: %(state)s.") % {"state": plan.get_state_display()})
    return redirect("oversight:target_detail", pk=pk)


# --- import of a key-task list (check, then confirm) -----------------------------------------------------------

IMPORT_SESSION_KEY = "oversight.task_import"
IMPORT_MAX_BYTES = MAX_BYTES


@never_cache
@requires("oversight.write")
def task_import(request):
    """Upload the list, see every row checked, then confirm (``core.import_page``)."""
    from . import import_tasks
    from .forms_problems import ImportForm

    actor = request.actor
    return checked_import(request, CheckedImport(
        session_key=IMPORT_SESSION_KEY, template="oversight/task_import.html", form_class=ImportForm,
        context={"title": _("Import a key-task list"), "headers": import_tasks.HEADER_HELP,
                 "breadcrumbs": task_crumbs(_("Import a key-task list"))},
        rows=lambda data, name: import_tasks.task_rows(actor=actor, data=data, filename=name),
        shown=lambda read: {"checked": [item for _line, item in read.rows]},
        report=import_tasks.report_response,
        write=lambda data, name: import_tasks.task_import(actor=actor, data=data, filename=name),
        done=lambda added: _("%(n)s key tasks imported.") % {"n": len(added)},
        success_url=reverse("oversight:tasks"), retry_url=reverse("oversight:task_import"),
        too_big=_("The file is larger than 2 MB: a key-task list is not that long; split it.")))
