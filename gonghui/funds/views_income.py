"""The income screens: dues by unit and month, allocations and their receipt, the shares table, the returns inbox
with its colors, recording a receipt, paying a return, and the supervision list of escalated returns."""

import base64

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gonghui.core.forms import DateInput, StyledForm, apply_validation_error, run_form
from gonghui.core.listing import Column, ListPage
from gonghui.core.pagination import COUNT_CAP
from gonghui.core.spreadsheets import export_filename, xlsx_response
from gonghui.core.views import requires
from gonghui.core.widgets import OrgPickerField
from gonghui.orgs.selectors import org_get

from . import income, returns
from . import selectors_income as sel
from .income import imports
from .models import Channel, PeriodKind, ReturnState

TAB_LABELS = {"pending": gettext_lazy("Awaiting payment"), "overdue": gettext_lazy("Overdue"),
              "paid": gettext_lazy("Paid")}
MONEY_FIELD = {"max_digits": 16, "decimal_places": 2}


def _year_choices():
    this = timezone.localdate().year
    return [(y, str(y)) for y in range(this + 1, this - 6, -1)]


# --- forms ----------------------------------------------------------------------------------------------------------

class UnitYearFilter(StyledForm):
    union = OrgPickerField(label=gettext_lazy("Union"), required=False)
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", gettext_lazy("All")), *_year_choices()]


class WageBaseForm(StyledForm):
    month = forms.IntegerField(label=gettext_lazy("Month"), min_value=1, max_value=12)
    wage_base = forms.DecimalField(label=gettext_lazy("Wage base (yuan)"), **MONEY_FIELD)


class CollectForm(StyledForm):
    month = forms.IntegerField(label=gettext_lazy("Month"), min_value=1, max_value=12)
    amount = forms.DecimalField(label=gettext_lazy("Amount collected (yuan)"), **MONEY_FIELD)
    on = forms.DateField(label=gettext_lazy("Collected on"), widget=DateInput())


class AllocationForm(StyledForm):
    union = OrgPickerField(label=gettext_lazy("Grassroots union"), active_only=True)
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int)
    period_kind = forms.ChoiceField(label=gettext_lazy("Period"), choices=PeriodKind.choices)
    period_no = forms.IntegerField(label=gettext_lazy("Month or quarter"), min_value=1, max_value=12)
    payroll = forms.DecimalField(label=gettext_lazy("Declared payroll (yuan)"), **MONEY_FIELD)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _year_choices()


class ReceiveForm(StyledForm):
    amount = forms.DecimalField(label=gettext_lazy("Amount received (yuan)"), **MONEY_FIELD)
    on = forms.DateField(label=gettext_lazy("Received on"), widget=DateInput())
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), choices=Channel.choices)
    collector = OrgPickerField(label=gettext_lazy("Collecting federation"), required=False, help_text=gettext_lazy(
        "Collected by the tax office: the federation that received it."))


class SharesForm(StyledForm):
    org = OrgPickerField(label=gettext_lazy("Federation"))
    effective_on = forms.DateField(label=gettext_lazy("In force from"), widget=DateInput())
    grassroots = forms.DecimalField(label=gettext_lazy("Grassroots union (%)"), max_digits=5, decimal_places=2)
    county = forms.DecimalField(label=gettext_lazy("County federation (%)"), max_digits=5, decimal_places=2)
    city = forms.DecimalField(label=gettext_lazy("City federation (%)"), max_digits=5, decimal_places=2)
    province = forms.DecimalField(label=gettext_lazy("Provincial federation (%)"), max_digits=5, decimal_places=2)
    national = forms.DecimalField(label=gettext_lazy("National federation (%)"), max_digits=5, decimal_places=2)


class ReceiptForm(StyledForm):
    payer = OrgPickerField(label=gettext_lazy("Paying federation"))
    union = OrgPickerField(label=gettext_lazy("Union owed"), active_only=True)
    receipt_no = forms.CharField(label=gettext_lazy("Receipt number"), max_length=40)
    receipt_on = forms.DateField(label=gettext_lazy("Receipt received on"), widget=DateInput())
    amount = forms.DecimalField(label=gettext_lazy("Amount (yuan)"), required=False, **MONEY_FIELD,
                                help_text=gettext_lazy("Empty with an allocation: its grassroots part."))
    allocation = forms.IntegerField(widget=forms.HiddenInput, required=False)


class PayForm(StyledForm):
    paid_on = forms.DateField(label=gettext_lazy("Paid on"), widget=DateInput())


class SuperviseForm(StyledForm):
    alert = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=gettext_lazy("Supervision note"), max_length=500)


def _org(actor, code: str, field: str, form) -> object | None:
    try:
        return org_get(actor=actor, code=(code or "").strip().upper())
    except Http404:
        form.add_error(field, _("No unit with the code %(code)s in your area.") % {"code": code})
        return None


def _form_page(request, form, *, title: str, submit: str, cancel: str, intro: str = "", status: int = 200):
    return render(request, "core/form_page.html", {
        "title": title, "form": form, "submit_label": submit, "cancel_url": cancel, "intro": intro,
        "breadcrumbs": [{"label": _("Funds")}, {"label": title}]}, status=status)


def _money(value) -> str:
    return f"{value:,.2f}" if value is not None else ""


# --- dues -----------------------------------------------------------------------------------------------------------

@never_cache
@requires("funds.view")
def dues_list(request):
    """Every unit's monthly dues in the subtree, with the subtree's collection rate for the chosen year."""
    actor = request.actor
    form = UnitYearFilter(request.GET or None, actor=actor)
    data = form.cleaned_data if form.is_valid() else {}
    under = actor.org
    if code := (data.get("union") or "").strip():
        under = org_get(actor=actor, code=code.upper())
    year = data.get("year") or timezone.localdate().year
    qs = sel.dues_list(actor=actor, under=under, year=data.get("year"))

    def grid(r):
        return reverse("funds:dues_grid", args=[r.union.code, r.year])

    columns = [
        Column(_("Union"), lambda r: r.union.name, url=grid), Column(_("Year"), lambda r: r.year),
        Column(_("Month"), lambda r: r.month), Column(_("Members"), lambda r: r.members),
        Column(_("Wage base"), lambda r: _money(r.wage_base), export=lambda r: r.wage_base),
        Column(_("Due"), lambda r: _money(r.due), export=lambda r: r.due),
        Column(_("Collected"), lambda r: _money(r.collected), export=lambda r: r.collected),
        Column(_("Collected on"), lambda r: r.collected_on),
    ]
    page = ListPage(request, qs, columns, filter_form=form, export_name="dues",
                    object_type="funds.dues", export_title=_("Dues by unit and month"), export_unit=under)
    page.queryset = qs.order_by("union_path", "year", "month")  # the (union_path, year, month) index's order
    summary = sel.dues_rate(actor=actor, under=under, year=year)
    actions = ([{"label": _("Import from a spreadsheet"), "url": reverse("funds:income_import")}]
               if actor.can("funds.write") else [])
    return page.response("funds/income_dues_list.html", {
        "title": _("Dues: %(org)s") % {"org": under.name}, "summary": summary, "year": year, "under": under,
        "page_actions": actions})


@never_cache
@requires("funds.view")
def dues_grid(request, code: str, year: int):
    """A unit's year of dues: months × due and collected; officers enter the wage base and the collections."""
    actor = request.actor
    union = org_get(actor=actor, code=code)
    if union.is_federation or not 2000 <= year <= 2100:
        raise Http404
    wage_form, collect_form, status = WageBaseForm(), CollectForm(initial={"on": timezone.localdate()}), 200
    if request.method == "POST":
        actor.require("funds.write")
        action = request.POST.get("action")
        if action == "wage":
            wage_form = WageBaseForm(request.POST)
            if run_form(request, wage_form, lambda d: income.dues_set(actor=actor, union=union, year=year, **d),
                        success=_("Wage base saved.")):
                return redirect(request.path)
        elif action == "collect":
            collect_form = CollectForm(request.POST)
            if collect_form.is_valid():
                data = collect_form.cleaned_data
                row = sel.dues_list(actor=actor, under=union, year=year).filter(
                    union=union, month=data["month"]).first()
                if row is None:
                    collect_form.add_error("month", _("Enter the wage base of %(year)s-%(month)02d first.") % {
                        "year": year, "month": data["month"]})
                else:
                    try:
                        income.dues_collect(actor=actor, row=row, amount=data["amount"], on=data["on"])
                    except ValidationError as exc:
                        apply_validation_error(collect_form, exc)
                    else:
                        messages.success(request, _("Collection recorded and posted."))
                        return redirect(request.path)
        status = 422
    grid = sel.dues_grid(actor=actor, union=union, year=year)
    return render(request, "funds/income_dues_grid.html", {
        "title": _("Dues of %(org)s, %(year)s") % {"org": union.name, "year": year}, "union": union, "year": year,
        "grid": grid, "wage_form": wage_form, "collect_form": collect_form, "can_write": actor.can("funds.write"),
        "breadcrumbs": [{"label": _("Dues"), "url": reverse("funds:dues")}, {"label": f"{union.name} {year}"}],
    }, status=status)


# --- allocations ----------------------------------------------------------------------------------------------------

@never_cache
@requires("funds.view")
def allocation_list(request):
    actor = request.actor
    form = UnitYearFilter(request.GET or None, actor=actor)
    data = form.cleaned_data if form.is_valid() else {}
    under = org_get(actor=actor, code=data["union"].strip().upper()) if data.get("union") else actor.org
    qs = sel.allocation_list(actor=actor, under=under, year=data.get("year"), with_returned=True)
    can_write = actor.can("funds.write")

    def receive(r):
        return reverse("funds:allocation_receive") + f"?id={r.pk}" if can_write and not r.received else None

    def owed_back(r):
        return (can_write and r.channel == Channel.TAX and r.collector is not None and actor.covers(r.collector.path)
                and r.owed_back > 0)

    def receipt(r):
        return reverse("funds:return_receipt") + f"?allocation={r.pk}" if owed_back(r) else None

    columns = [
        Column(_("Grassroots union"), lambda r: r.union.name), Column(_("Period"), lambda r: r.period_label,
                                                                       sort="period_start"),
        Column(_("Declared payroll"), lambda r: _money(r.payroll), export=lambda r: r.payroll),
        Column(_("Due (2%)"), lambda r: _money(r.due), export=lambda r: r.due),
        Column(_("Received"), lambda r: _money(r.received) if r.received else _("Record receipt") if can_write else "",
               url=receive, export=lambda r: r.received),
        Column(_("Received on"), lambda r: r.received_on),
        Column(_("Channel"), lambda r: r.get_channel_display() if r.channel else ""),
        Column(_("Collecting federation"), lambda r: r.collector.name if r.collector else ""),
        Column(_("Grassroots union's part"), lambda r: _money(r.grassroots_amount) if r.received else "",
               export=lambda r: r.grassroots_amount),
        Column(_("Fund return"), lambda r: _("Record the union's receipt") if owed_back(r) else "", url=receipt,
               export=lambda r: ""),
    ]
    page = ListPage(request, qs, columns, filter_form=form, default_sort="-period_start", export_name="allocations",
                    object_type="funds.allocation", export_title=_("Allocations (2% of payroll)"), export_unit=under)
    actions = [{"label": _("Declare payroll"), "url": reverse("funds:allocation_new")},
               {"label": _("Import from a spreadsheet"), "url": reverse("funds:income_import")}] if can_write else []
    return page.response("core/list.html", {"title": _("Allocations: %(org)s") % {"org": under.name},
                                            "page_actions": actions})


@never_cache
@requires("funds.write")
def allocation_new(request):
    actor = request.actor
    form = AllocationForm(request.POST or None, actor=actor, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        union = _org(actor, data.pop("union"), "union", form)
        if union is not None:
            try:
                row = income.allocation_declare(actor=actor, union=union, **data)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Payroll of %(period)s declared: %(due)s due.") % {
                    "period": row.period_label, "due": _money(row.due)})
                return redirect("funds:allocations")
    return _form_page(request, form, title=_("Declare payroll"), submit=_("Save"),
                      cancel=reverse("funds:allocations"), status=422 if form.errors else 200,
                      intro=_("The employer's allocation is 2% of the payroll it declares for the month or quarter."))


@never_cache
@requires("funds.write")
def allocation_receive(request):
    actor = request.actor
    row = sel.allocation_get(actor=actor, pk=request.GET.get("id", ""))
    form = ReceiveForm(request.POST or None, actor=actor, initial={"amount": row.due, "on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        code = data.pop("collector")
        collector = _org(actor, code, "collector", form) if code else None
        if not form.errors:
            try:
                income.allocation_receive(actor=actor, allocation=row, collector=collector, **data)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Allocation received and posted."))
                return redirect("funds:allocations")
    title = _("Allocation received: %(union)s %(period)s") % {"union": row.union.name, "period": row.period_label}
    return _form_page(request, form, title=title, submit=_("Record and post"), cancel=reverse("funds:allocations"),
                      status=422 if form.errors else 200)


# --- shares ---------------------------------------------------------------------------------------------------------

@never_cache
@requires("funds.settings")
def shares_list(request):
    qs = sel.shares_list(actor=request.actor)
    columns = [Column(_("Federation"), lambda r: r.org.name), Column(_("In force from"), lambda r: r.effective_on,
                                                                     sort="effective_on")]
    columns += [Column(label, lambda r, k=key: f"{getattr(r, k)}%", export=lambda r, k=key: getattr(r, k))
                for key, label in (("grassroots", _("Grassroots union")), ("county", _("County federation")),
                                   ("city", _("City federation")), ("province", _("Provincial federation")),
                                   ("national", _("National federation")))]
    page = ListPage(request, qs, columns, default_sort="-effective_on", export_name="shares",
                    object_type="funds.shares", export_title=_("Allocation shares"))
    return page.response("core/list.html", {
        "title": _("Allocation shares"),
        "page_actions": [{"label": _("Set shares"), "url": reverse("funds:shares_new")}]})


@never_cache
@requires("funds.settings")
def shares_new(request):
    actor = request.actor
    form = SharesForm(request.POST or None, actor=actor, initial={"org": actor.org.code, "grassroots": 60})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        org = _org(actor, data.pop("org"), "org", form)
        if org is not None:
            try:
                income.shares_add(actor=actor, org=org, **data)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Shares saved."))
                return redirect("funds:shares")
    return _form_page(request, form, title=_("Set allocation shares"), submit=_("Save"),
                      cancel=reverse("funds:shares"), status=422 if form.errors else 200,
                      intro=_("The split of the 2% allocation in the federation's area from the date given; the "
                              "shares must sum to 100%."))


# --- returns --------------------------------------------------------------------------------------------------------

@never_cache
@requires("funds.view")
def returns_inbox(request):
    """The returns the unit pays or is owed, on tabs, the most urgent first, colored."""
    actor = request.actor
    tab = request.GET.get("tab", "pending")
    tab = tab if tab in sel.RETURN_TABS else "pending"
    today = timezone.localdate()
    filters = {"q": request.GET.get("q", ""), "late": request.GET.get("late") == "1"}
    qs = sel.return_list(actor=actor, tab=tab, today=today, filters=filters)
    columns = [
        Column(_("Receipt number"), lambda r: r.receipt_no), Column(_("Union owed"), lambda r: r.union.name),
        Column(_("Paying federation"), lambda r: r.payer.name),
        Column(_("Amount"), lambda r: _money(r.amount), export=lambda r: r.amount),
        Column(_("Receipt received on"), lambda r: r.receipt_on), Column(_("Due on"), lambda r: r.due_on),
        Column(_("Paid on"), lambda r: r.paid_on), Column(_("Color"), lambda r: r.get_color_display() if r.color
                                                           else ""),
        Column(_("Paid late"), lambda r: r.late),
    ]
    page = ListPage(request, qs, columns, export_name=f"returns-{tab}", object_type="funds.return",
                    export_title=_("Fund returns (%(tab)s)") % {"tab": TAB_LABELS[tab]})
    page.queryset = qs
    if request.GET.get("export") == "xlsx":
        return page.export()
    counts = sel.return_counts(actor=actor, today=today)
    page.paginate(total=None if filters["q"] or filters["late"] else counts[tab])
    can_write = actor.can("funds.write")
    for r in page.page.object_list:
        r.can_pay = can_write and r.state == ReturnState.PENDING and actor.covers(r.payer_path)
    base = request.GET.copy()
    base.pop("page", None)
    tabs = []
    for key in sel.RETURN_TABS:
        base["tab"] = key
        tabs.append({"key": key, "label": TAB_LABELS[key], "count": counts[key], "active": key == tab,
                     "url": "?" + base.urlencode()})
    actions = ([{"label": _("Record a receipt"), "url": reverse("funds:return_receipt"), "id": "record-receipt"}]
               if can_write and actor.org.is_federation else [])
    return render(request, "funds/income_returns.html", {
        "title": _("Fund returns"), "listing": page, "tabs": tabs, "tab": tab, "today": today, "q": filters["q"],
        "page_actions": actions, "cap": COUNT_CAP})


@never_cache
@requires("funds.write")
def return_receipt(request):
    actor = request.actor
    initial = {"payer": actor.org.code, "receipt_on": timezone.localdate()}
    allocation = None
    if request.GET.get("allocation"):
        allocation = sel.allocation_get(actor=actor, pk=request.GET["allocation"])
        initial.update(union=allocation.union.code, allocation=allocation.pk,
                       payer=allocation.collector.code if allocation.collector else actor.org.code)
    form = ReceiptForm(request.POST or None, actor=actor, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        payer = _org(actor, data.pop("payer"), "payer", form)
        union = _org(actor, data.pop("union"), "union", form)
        alloc_id = data.pop("allocation")
        alloc = sel.allocation_get(actor=actor, pk=alloc_id) if alloc_id else None
        if payer is not None and union is not None:
            try:
                row = returns.return_receipt_record(actor=actor, payer=payer, union=union, allocation=alloc, **data)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Receipt %(no)s recorded: the return is due on %(due)s.") % {
                    "no": row.receipt_no, "due": row.due_on})
                return redirect("funds:returns")
    return _form_page(request, form, title=_("Record a receipt"), submit=_("Record"),
                      cancel=reverse("funds:returns"), status=422 if form.errors else 200,
                      intro=_("The return is due 5 working days after the union's receipt (经费划拨收据) arrives."))


@never_cache
@requires("funds.write")
def return_pay(request):
    actor = request.actor
    row = sel.return_get(actor=actor, pk=request.GET.get("id", ""))
    if not actor.covers(row.payer_path):
        raise Http404
    form = PayForm(request.POST or None, initial={"paid_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            returns.return_pay(actor=actor, fund_return=row, paid_on=form.cleaned_data["paid_on"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Return %(no)s paid and posted in both books.") % {"no": row.receipt_no})
            return redirect(reverse("funds:returns") + "?tab=paid")
    title = _("Pay return %(no)s: %(amount)s to %(union)s, due %(due)s") % {
        "no": row.receipt_no, "amount": _money(row.amount), "union": row.union.name, "due": row.due_on}
    return _form_page(request, form, title=title, submit=_("Pay and post"), cancel=reverse("funds:returns"),
                      status=422 if form.errors else 200)


def _supervision_page(request, *, form=None, failed_id=None, status=200):
    actor = request.actor
    handled = request.GET.get("show") == "handled"
    page = Paginator(sel.supervision_list(actor=actor, handled=handled), 50).get_page(request.GET.get("page"))
    return render(request, "funds/income_supervision.html", {
        "title": _("Overdue returns under supervision"), "page": page, "handled": handled, "form": form,
        "failed_id": failed_id, "can_write": actor.can("funds.write"),
        "breadcrumbs": [{"label": _("Fund returns"), "url": reverse("funds:returns")},
                        {"label": _("Supervision list")}]}, status=status)


@never_cache
@requires("funds.view")
def returns_supervision(request):
    return _supervision_page(request)


@never_cache
@require_POST
@requires("funds.write")
def returns_supervise(request):
    actor = request.actor
    form = SuperviseForm(request.POST)
    if form.is_valid():
        alert = sel.supervision_get(actor=actor, pk=form.cleaned_data["alert"])
        try:
            returns.return_supervise(actor=actor, alert=alert, note=form.cleaned_data["note"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Supervision note recorded."))
            return redirect("funds:returns_supervision")
    return _supervision_page(request, form=form, failed_id=request.POST.get("alert"), status=422)



# --- spreadsheet import ---------------------------------------------------------------------------------------------

class ImportForm(StyledForm):
    kind = forms.ChoiceField(label=gettext_lazy("What the file holds"), choices=[
        ("allocation", gettext_lazy("Employers' payroll declarations (2% allocation)")),
        ("dues", gettext_lazy("Units' monthly wage bases (dues)"))])
    file = forms.FileField(label=gettext_lazy("Spreadsheet (xlsx, xls, ods or csv)"), help_text=gettext_lazy(
        "Columns 工会代码, 年度, 月份 (or 季度 for a quarterly declaration) and 申报工资总额 or 工资基数. All rows are "
        "written or none."))


REPORT_KEY = "funds_income_import_report"


@never_cache
@requires("funds.write")
def income_import(request):
    actor = request.actor
    form = ImportForm(request.POST or None, request.FILES or None)
    problems, status = [], 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        kind = form.cleaned_data["kind"]
        try:
            result = imports.declarations_import(actor=actor, data=upload.read(), filename=upload.name, kind=kind)
        except ValidationError as exc:  # the file as a whole (tabular.TableFileError) or a row refused
            form.add_error("file", exc)
        else:
            if result.ok:
                messages.success(request, _("%(n)s rows imported.") % {"n": result.written})
                return redirect("funds:allocations" if kind == "allocation" else "funds:dues")
            request.session[REPORT_KEY] = base64.b64encode(result.report).decode()
            problems = result.problems[:30]
        status = 422
    elif request.method == "POST":
        status = 422
    return render(request, "funds/income_import.html", {
        "title": _("Import payroll declarations or dues"), "form": form, "problems": problems,
        "more": max(0, len(problems) - 30), "breadcrumbs": [{"label": _("Funds")}, {"label": _("Import")}]},
        status=status)


@never_cache
@requires("funds.write")
def income_import_report(request):
    """The error report of the latest refused import in this session."""
    data = request.session.get(REPORT_KEY)
    if not data:
        raise Http404
    return xlsx_response(base64.b64decode(data), export_filename(_("Import error report"), unit=request.actor.org))
