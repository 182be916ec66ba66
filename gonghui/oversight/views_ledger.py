"""The ledger's screens: the rectification ledger (整改台账) of the subtree with colors, filters and its xlsx; a
measure's page (timeline, progress, evidence, closure); adding a measure to a final problem; dispatch rounds and
coordination meetings; the snail list (蜗牛榜)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gonghui.core import audit
from gonghui.core.forms import DateInput, StyledForm, apply_validation_error
from gonghui.core.spreadsheets import export_filename, write_xlsx, xlsx_response
from gonghui.core.views import requires

from . import dispatch, ledger, snail
from . import selectors_ledger as sel
from .models import Category, MeasureColor, MeasureState, Problem, Source

PER_PAGE = 50
EXPORT_CAP = 20000


# --- forms ----------------------------------------------------------------------------------------------------------

class MeasureForm(StyledForm):
    steps = forms.CharField(label=gettext_lazy("Steps"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    indicator = forms.CharField(label=gettext_lazy("Quantified indicator"), max_length=200)
    due_on = forms.DateField(label=gettext_lazy("Deadline (a date)"), widget=DateInput(), required=False)
    due_days = forms.IntegerField(label=gettext_lazy("or within N working days"), required=False)
    expected = forms.CharField(label=gettext_lazy("Expected result"), max_length=200)
    owner = forms.ModelChoiceField(label=gettext_lazy("Owner"), queryset=None)
    leader = forms.CharField(label=gettext_lazy("Leader in charge"), max_length=40)

    def __init__(self, *args, org=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = ledger.owner_candidates(org)
        self.fields["owner"].label_from_instance = lambda u: str(u)


class ProgressForm(StyledForm):
    text = forms.CharField(label=gettext_lazy("What was done"), widget=forms.Textarea(attrs={"rows": 3}),
                           max_length=4000)
    percent = forms.IntegerField(label=gettext_lazy("Progress (%)"))


class NoteForm(StyledForm):
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(StyledForm):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class RoundForm(StyledForm):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=100)
    due_on = forms.DateField(label=gettext_lazy("Report by"), widget=DateInput())


class MeetingForm(StyledForm):
    held_on = forms.DateField(label=gettext_lazy("Held on"), widget=DateInput())
    title = forms.CharField(label=gettext_lazy("Subject"), max_length=100)
    attendees = forms.CharField(label=gettext_lazy("Attendees"), widget=forms.Textarea(attrs={"rows": 2}),
                                max_length=2000)
    decisions = forms.CharField(label=gettext_lazy("Decisions"), widget=forms.Textarea(attrs={"rows": 3}),
                                max_length=4000)
    problems = forms.CharField(label=gettext_lazy("Problem numbers (separated by spaces)"), required=False,
                               max_length=2000)


# --- the ledger -----------------------------------------------------------------------------------------------------

def _filters(request) -> dict:
    g = request.GET
    return {k: g.get(k, "") for k in ("color", "state", "unit", "owner", "source", "category", "overdue")}


def _owner_label(m) -> str:
    return str(m.owner)


def _progress_label(m) -> str:
    return f"{m.percent}%"


COLUMNS = [
    (gettext_lazy("No."), None), (gettext_lazy("Problem"), lambda m: m.problem.title),
    (gettext_lazy("Rectification measures"), lambda m: m.steps), (gettext_lazy("Quantified indicator"),
                                                                  lambda m: m.indicator),
    (gettext_lazy("Deadline"), lambda m: m.due_on), (gettext_lazy("Expected result"), lambda m: m.expected),
    (gettext_lazy("Owner"), _owner_label), (gettext_lazy("Leader in charge"), lambda m: m.leader),
    (gettext_lazy("Progress"), _progress_label),
    (gettext_lazy("State"), lambda m: m.get_state_display() + (f"（{m.get_color_display()}）" if m.color else "")),
]


@never_cache
@requires("oversight.view")
def ledger_list(request):
    actor = request.actor
    filters = _filters(request)
    if request.GET.get("export") == "xlsx":
        return _export(request, filters)
    try:
        page = max(1, min(int(request.GET.get("page", "1")), 1000))
    except ValueError:
        page = 1
    rows = sel.ledger_page(actor, filters=filters, limit=PER_PAGE + 1, offset=(page - 1) * PER_PAGE)
    more = len(rows) > PER_PAGE
    rows = rows[:PER_PAGE]
    base = request.GET.copy()
    base.pop("page", None)
    prefix = "?" + (base.urlencode() + "&" if base else "") + "page="
    owners = ledger.owner_candidates(actor.org)[:500]
    return render(request, "oversight/ledger.html", {
        "title": _("Rectification ledger"), "rows": rows, "filters": filters, "page": page, "more": more,
        "prev_url": prefix + str(page - 1) if page > 1 else "", "next_url": prefix + str(page + 1) if more else "",
        "offset": (page - 1) * PER_PAGE, "today": timezone.localdate(), "colors": MeasureColor.choices[1:],
        "sources": Source.objects.all(), "categories": Category.objects.all(), "owners": owners,
        "export_url": "?" + (base.urlencode() + "&" if base else "") + "export=xlsx",
        "can_export": actor.can("export"),
        "states": [("open", _("Being carried out")), ("requested", _("Closure requested")),
                   ("closed", _("Closed (销号)")), ("all", _("All"))]})


def _export(request, filters: dict):
    actor = request.actor
    actor.require("export")
    qs = (sel.ledger_queryset(actor, filters=filters).select_related("problem", "owner")[:EXPORT_CAP])
    headers = [str(label) for label, _fn in COLUMNS]
    rows = ([n, *[fn(m) for _label, fn in COLUMNS[1:]]] for n, m in enumerate(qs.iterator(chunk_size=2000), 1))
    content = write_xlsx(headers, rows, sheet=_("Rectification ledger"),
                         notes=[f"{actor.org.name} {_('Rectification ledger')} {timezone.localdate().isoformat()}"])
    audit.record(actor=actor, action="export", object_type="oversight.measure",
                 details={"filters": {k: v for k, v in filters.items() if v}})
    return xlsx_response(content, export_filename(_("Rectification ledger"), unit=actor.org))


# --- a measure ------------------------------------------------------------------------------------------------------

def _measure_context(request, measure, **forms_) -> dict:
    actor = request.actor
    owner = ledger.is_owner(actor, measure)
    can_write = actor.can("oversight.write")
    return {
        "title": _("Rectification measure"), "m": measure, "events": sel.timeline(measure),
        "reports": sel.progress_reports(measure), "today": timezone.localdate(),
        "can_progress": can_write and owner and measure.state == MeasureState.OPEN,
        "can_request": ledger.may_request_closure(actor, measure),
        "can_decide": ledger.may_decide_closure(actor, measure),
        "can_reopen": can_write and measure.state == MeasureState.CLOSED,
        "is_owner": owner,
        "progress_form": forms_.get("progress_form") or ProgressForm(initial={"percent": measure.percent}),
        "request_form": forms_.get("request_form") or NoteForm(prefix="req"),
        "close_form": forms_.get("close_form") or NoteForm(prefix="close"),
        "reject_form": forms_.get("reject_form") or ReasonForm(prefix="reject"),
        "reopen_form": forms_.get("reopen_form") or ReasonForm(prefix="reopen"),
    }


@never_cache
@requires("oversight.view")
def measure_detail(request, pk: int):
    measure = ledger.measure_get(request.actor, pk=pk)
    return render(request, "oversight/measure.html", _measure_context(request, measure))


def _act(request, pk, form_cls, prefix, key, call):
    measure = ledger.measure_get(request.actor, pk=pk)
    form = form_cls(request.POST, prefix=prefix) if prefix else form_cls(request.POST)
    if form.is_valid():
        try:
            call(measure, form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return redirect("oversight:measure", pk=measure.pk)
    measure = ledger.measure_get(request.actor, pk=pk)
    return render(request, "oversight/measure.html", _measure_context(request, measure, **{key: form}), status=422)


@require_POST
@requires("oversight.write")
def measure_progress(request, pk: int):
    def call(m, d):
        ledger.progress_add(request.actor, measure=m, text=d["text"], percent=d["percent"])
        messages.success(request, _("Progress reported."))
    return _act(request, pk, ProgressForm, None, "progress_form", call)


@require_POST
@requires("oversight.write")
def measure_request(request, pk: int):
    def call(m, d):
        ledger.closure_request(request.actor, measure=m, note=d["note"])
        messages.success(request, _("Closure requested."))
    return _act(request, pk, NoteForm, "req", "request_form", call)


@require_POST
@requires("oversight.write")
def measure_close(request, pk: int):
    def call(m, d):
        ledger.closure_close(request.actor, measure=m, note=d["note"])
        messages.success(request, _("The measure is closed (销号)."))
    return _act(request, pk, NoteForm, "close", "close_form", call)


@require_POST
@requires("oversight.write")
def measure_reject(request, pk: int):
    def call(m, d):
        ledger.closure_reject(request.actor, measure=m, reason=d["reason"])
        messages.success(request, _("The closure request was sent back."))
    return _act(request, pk, ReasonForm, "reject", "reject_form", call)


@require_POST
@requires("oversight.write")
def measure_reopen(request, pk: int):
    def call(m, d):
        ledger.measure_reopen(request.actor, measure=m, reason=d["reason"])
        messages.success(request, _("The measure is reopened."))
    return _act(request, pk, ReasonForm, "reopen", "reopen_form", call)


def _problem(actor, pk) -> Problem:
    problem = Problem.objects.select_related("org").filter(pk=pk, org_path__startswith=actor.org.path).first()
    if problem is None:
        raise Http404
    return problem


@never_cache
@requires("oversight.write")
def measure_new(request, problem_pk: int):
    actor = request.actor
    problem = _problem(actor, problem_pk)
    form = MeasureForm(request.POST or None, org=problem.org)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                m = ledger.measure_add(actor, problem=problem, steps=d["steps"], indicator=d["indicator"],
                                       expected=d["expected"], due_on=d["due_on"], due_days=d["due_days"],
                                       owner=d["owner"], leader=d["leader"])
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Measure added."))
                return redirect("oversight:measure", pk=m.pk)
        status = 422
    return render(request, "oversight/measure_new.html", {
        "title": _("Add a rectification measure"), "form": form, "problem": problem,
        "measures": sel.problem_measures(actor, problem=problem)}, status=status)


# --- dispatch rounds and meetings -----------------------------------------------------------------------------------

@never_cache
@requires("oversight.view")
def dispatch_list(request):
    actor = request.actor
    form = RoundForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not actor.can("oversight.write"):
            raise PermissionDenied("oversight.write")
        if form.is_valid():
            try:
                rnd = dispatch.round_open(actor, **form.cleaned_data)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Dispatch round opened."))
                return redirect("oversight:dispatch_round", pk=rnd.pk)
        status = 422
    return render(request, "oversight/dispatch_list.html", {
        "title": _("Weekly dispatch"), "rounds": dispatch.round_list(actor)[:50], "form": form,
        "can_open": actor.can("oversight.write") and actor.org.is_federation}, status=status)


@never_cache
@requires("oversight.view")
def dispatch_round(request, pk: int):
    actor = request.actor
    rnd = dispatch.round_get(actor, pk=pk)
    return render(request, "oversight/dispatch_round.html", {
        "title": rnd.title, "rnd": rnd, "missing": dispatch.round_reports(actor, rnd=rnd, reported=False)[:200],
        "done": dispatch.round_reports(actor, rnd=rnd, reported=True)[:200],
        "can_write": actor.can("oversight.write") and actor.covers(rnd.org_path)})


@require_POST
@requires("oversight.write")
def dispatch_remind(request, pk: int):
    rnd = dispatch.round_get(request.actor, pk=pk)
    try:
        n = dispatch.round_remind(request.actor, rnd=rnd)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(n)s missing reports reminded.") % {"n": n})
    return redirect("oversight:dispatch_round", pk=rnd.pk)


@require_POST
@requires("oversight.write")
def dispatch_close(request, pk: int):
    rnd = dispatch.round_get(request.actor, pk=pk)
    try:
        dispatch.round_close(request.actor, rnd=rnd)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Dispatch round closed."))
    return redirect("oversight:dispatch_round", pk=rnd.pk)


@never_cache
@requires("oversight.view")
def meeting_list(request):
    actor = request.actor
    form = MeetingForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not actor.can("oversight.write"):
            raise PermissionDenied("oversight.write")
        if form.is_valid():
            d = dict(form.cleaned_data)
            numbers = d.pop("problems").split()
            ids = list(Problem.objects.filter(number__in=numbers, org_path__startswith=actor.org.path)
                       .values_list("pk", flat=True))
            try:
                if len(ids) != len(set(numbers)):
                    raise ValidationError({"problems": _("Choose problems of your unit or the units under it.")})
                dispatch.meeting_add(actor, problems=ids, **d)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Coordination meeting recorded."))
                return redirect("oversight:meetings")
        status = 422
    return render(request, "oversight/dispatch_meetings.html", {
        "title": _("Coordination meetings"), "meetings": dispatch.meeting_list(actor).prefetch_related("problems")[:50],
        "form": form, "can_write": actor.can("oversight.write")}, status=status)


# --- the snail list -------------------------------------------------------------------------------------------------

class PeriodForm(StyledForm):
    start = forms.DateField(label=gettext_lazy("From"), widget=DateInput())
    end = forms.DateField(label=gettext_lazy("To"), widget=DateInput())


@never_cache
@requires("oversight.view")
def snail_page(request):
    actor = request.actor
    org = actor.org
    today = timezone.localdate()
    form = PeriodForm(request.GET or {"start": snail.quarter_start(today), "end": today})
    board, status = None, 200
    if form.is_valid():
        try:
            board = snail.snail_board(actor, org=org, start=form.cleaned_data["start"], end=form.cleaned_data["end"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
            status = 422
    else:
        status = 422
    if board is not None and request.GET.get("export") == "xlsx":
        actor.require("export")
        return _snail_export(actor, board)
    pubs = list(snail.publications(actor, org=org)[:20])
    return render(request, "oversight/snail.html", {
        "title": _("Snail list"), "form": form, "board": board, "latest": pubs[0] if pubs else None,
        "history": pubs[1:], "can_publish": actor.can("oversight.write") and org.is_federation,
        "export_url": "?" + request.GET.urlencode() + ("&" if request.GET else "") + "export=xlsx",
        "can_export": actor.can("export")}, status=status)


def _snail_export(actor, board):
    headers = [_("Kind"), _("Rank"), _("Name"), _("Overdue working days"), _("Missed dispatch reports"),
               _("Overdue measures")]
    rows = [[_("Unit") if kind == "units" else _("Owner"), n, r["name"], r["overdue_days"], r["missed"],
             r["measures"]] for kind in ("units", "owners") for n, r in enumerate(board[kind], 1)]
    content = write_xlsx(headers, rows, sheet=_("Snail list"),
                         notes=[f"{board['org'].name} {_('Snail list')} {board['start']}—{board['end']}"])
    audit.record(actor=actor, action="export", object_type="oversight.snail",
                 details={"start": board["start"], "end": board["end"]})
    return xlsx_response(content, export_filename(_("Snail list"), unit=board["org"]))


@require_POST
@requires("oversight.write")
def snail_publish(request):
    actor = request.actor
    form = PeriodForm(request.POST)
    if form.is_valid():
        try:
            snail.snail_publish(actor, org=actor.org, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Snail list published."))
    else:
        messages.error(request, _("Enter a valid period."))
    return redirect("oversight:snail")

