"""Pages for collective decisions, large expenses and their decisions, annual audits with their findings, and the
central purchasing supplier list."""

import secrets
from decimal import Decimal

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core.forms import apply_validation_error, run_action, run_form
from gonghui.core.listing import Column, ListPage
from gonghui.core.spreadsheets import export_filename, xlsx_response
from gonghui.core.views import requires
from gonghui.orgs.selectors import org_get

from .. import audits, decisions, selectors_budget
from ..models import FindingState
from .forms import (
    AuditFilterForm,
    AuditForm,
    DecisionFilterForm,
    DecisionForm,
    FindingForm,
    FindingProgressForm,
    LargeFilterForm,
    SupplierForm,
    SupplierImportForm,
)

SESSION_REPORT = "funds_supplier_report"


def _union(actor, code: str):
    return org_get(actor=actor, code=(code or "").strip().upper())


def _money(value) -> str:
    return f"{value:,.2f}" if value is not None else ""


# --- decisions -----------------------------------------------------------------------------------------------------

def _decision_page(request, form=None, status: int = 200):
    actor = request.actor
    filters = DecisionFilterForm(request.GET or None, actor=actor)
    under, q = None, ""
    if filters.is_bound and filters.is_valid():
        if code := filters.cleaned_data.get("union"):
            under = _union(actor, code)
        q = filters.cleaned_data.get("q") or ""
    qs = selectors_budget.decision_list(actor=actor, under=under, q=q).prefetch_related("items")
    columns = [
        Column(_("Union"), lambda d: d.org.name),
        Column(_("Meeting"), lambda d: d.get_kind_display(), sort="kind"),
        Column(_("Meeting date"), lambda d: d.date, sort="date"),
        Column(_("Reference number"), lambda d: d.reference, sort="reference"),
        Column(_("Subject"), lambda d: d.title),
        Column(_("Items decided"), lambda d: "；".join(
            f"{i.subject} {_money(i.amount)}".strip() for i in d.items.all())),
    ]
    page = ListPage(request, qs, columns, filter_form=filters, default_sort="-date", export_name="decisions",
                    object_type="funds.decision", export_title=_("Collective decisions"))
    write = actor.can("funds.write")
    context = {"title": _("Collective decisions"), "can_write": write,
               "form": form or (DecisionForm(actor=actor, prefix="new") if write else None)}
    if status != 200:
        page.paginate()
        return render(request, "funds/budget_decisions.html", {"listing": page, **context}, status=status)
    return page.response("funds/budget_decisions.html", context)


@requires("funds.view")
def decision_list(request):
    return _decision_page(request)


@requires("funds.write")
@require_POST
def decision_create(request):
    actor = request.actor
    form = DecisionForm(request.POST, actor=actor, prefix="new")
    if form.is_valid():
        data = form.cleaned_data
        try:
            decision = decisions.decision_record(
                actor=actor, org=_union(actor, data["union"]), kind=data["kind"], date=data["date"],
                reference=data["reference"], title=data["title"], items=decisions.parse_items(data["items"]))
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            linked = decision.lines.count()
            messages.success(request, _("Decision %(ref)s recorded; %(n)s voucher lines carrying it were linked.")
                             % {"ref": decision.reference, "n": linked})
            return redirect("funds:decisions")
    return _decision_page(request, form=form, status=400)


# --- large expenses ------------------------------------------------------------------------------------------------

@requires("funds.view")
def large_expense_list(request):
    """A union's expenses at or above the threshold, each with its decision, or 未核实, or none."""
    actor = request.actor
    form = LargeFilterForm(request.GET or None, actor=actor)
    org, year, threshold, state = actor.org, timezone.localdate().year, decisions.LARGE_EXPENSE, ""
    if form.is_bound and form.is_valid():
        if code := form.cleaned_data.get("union"):
            org = _union(actor, code)
        year = form.cleaned_data.get("year") or year
        threshold = form.cleaned_data.get("threshold") or threshold
        state = form.cleaned_data.get("state") or ""
    qs = selectors_budget.large_expenses(actor=actor, org=org, year=year, threshold=Decimal(threshold))
    if state == "linked":
        qs = qs.filter(decision__isnull=False)
    elif state == "unverified":
        qs = qs.filter(decision__isnull=True).exclude(decision_ref="")
    elif state == "none":
        qs = qs.filter(decision__isnull=True, decision_ref="")
    labels = {"linked": "", "unverified": _("Unverified"), "none": _("No decision")}

    def decision_text(line):
        key = decisions.large_state(line)
        if key == "linked":
            return f"{line.decision.reference} {line.decision.title}"
        if key == "unverified":
            return f"{labels[key]}（{line.decision_ref}）"
        return labels[key]

    columns = [
        Column(_("Union"), lambda ln: ln.voucher.org.name),
        Column(_("Date"), lambda ln: ln.date, sort="date"),
        Column(_("Voucher"), lambda ln: ln.voucher.display_number),
        Column(_("Account"), lambda ln: ln.account.path),
        Column(_("Summary"), lambda ln: ln.summary),
        Column(_("Counterparty"), lambda ln: ln.counterparty),
        Column(_("Amount"), lambda ln: _money(ln.debit), sort="debit", export=lambda ln: ln.debit),
        Column(_("Collective decision"), decision_text),
    ]
    page = ListPage(request, qs, columns, filter_form=form, default_sort="-debit", export_name="large_expenses",
                    object_type="funds.decision", export_title=_("Large expenses %(year)s") % {"year": year},
                    export_unit=org)
    return page.response("core/list.html", {
        "title": _("Large expenses %(year)s: %(org)s (from %(t)s yuan)") % {"year": year, "org": org.name,
                                                                         "t": _money(threshold)}})


# --- audits ----------------------------------------------------------------------------------------------------------

def _audit_list_page(request, form=None, status: int = 200):
    actor = request.actor
    filters = AuditFilterForm(request.GET or None, actor=actor)
    under, year = None, None
    if filters.is_bound and filters.is_valid():
        if code := filters.cleaned_data.get("union"):
            under = _union(actor, code)
        year = filters.cleaned_data.get("year")
    qs = selectors_budget.audit_list(actor=actor, under=under, year=year)

    def url(a):
        return reverse("funds:audit_detail", args=[a.org.code, a.year])

    columns = [
        Column(_("Audited union"), lambda a: a.org.name, url=url),
        Column(_("Year audited"), lambda a: a.year, sort="year"),
        Column(_("Auditing organization"), lambda a: a.auditor),
        Column(_("Started on"), lambda a: a.started_on),
        Column(_("Ended on"), lambda a: a.ended_on, sort="ended_on"),
        Column(_("Vouchers checked"), lambda a: a.vouchers_checked),
    ]
    page = ListPage(request, qs, columns, filter_form=filters, default_sort="-ended_on", export_name="audits",
                    object_type="funds.audit", export_title=_("Annual audits"))
    review = actor.can("funds.review")
    context = {"title": _("Annual audits"), "can_review": review,
               "form": form or (AuditForm(actor=actor, prefix="new") if review else None)}
    if status != 200:
        page.paginate()
        return render(request, "funds/budget_audits.html", {"listing": page, **context}, status=status)
    return page.response("funds/budget_audits.html", context)


@requires("funds.view")
def audit_list(request):
    return _audit_list_page(request)


@requires("funds.review")
@require_POST
def audit_create(request):
    actor = request.actor
    form = AuditForm(request.POST, actor=actor, prefix="new")
    if form.is_valid():
        d = form.cleaned_data
        try:
            record = audits.audit_record(actor=actor, org=_union(actor, d["union"]), year=d["year"],
                                         auditor=d["auditor"], started_on=d["started_on"], ended_on=d["ended_on"],
                                         vouchers_checked=d["vouchers_checked"], conclusion=d["conclusion"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Audit recorded: add its findings."))
            return redirect("funds:audit_detail", record.org.code, record.year)
    return _audit_list_page(request, form=form, status=400)


def _audit_page(request, code: str, year: int, forms: dict | None = None, status: int = 200):
    actor = request.actor
    record = selectors_budget.audit_get(actor=actor, code=code, year=year)
    forms = forms or {}
    today = timezone.localdate()
    findings = list(record.findings.order_by("due_on", "pk"))
    for f in findings:
        f.overdue = f.state != FindingState.RECTIFIED and f.due_on < today
    from gonghui.oversight.selectors_problems import problem_scope

    listed = {}
    if actor.can("oversight.view"):
        listed = dict(problem_scope(actor=actor).filter(link_kind="funds.finding", link_id__in=[f.pk for f in findings])
                      .values_list("link_id", "pk"))
    for f in findings:
        f.problem_id = listed.get(f.pk)
    context = {
        "can_list_problems": actor.can("oversight.write") and any(
            f.state != FindingState.RECTIFIED and f.problem_id is None for f in findings),
        "title": _("Audit of %(year)s: %(org)s") % {"year": year, "org": record.org.name}, "audit": record,
        "findings": findings, "can_review": actor.can("funds.review"),
        "can_progress": actor.can("funds.write") or actor.can("funds.review"),
        "finding_form": forms.get("finding") or FindingForm(prefix="finding"),
        "progress_form": forms.get("progress"), "failed_id": forms.get("failed_id"), "today": today,
    }
    return render(request, "funds/budget_audit.html", context, status=status)


@requires("funds.view")
def audit_detail(request, code: str, year: int):
    return _audit_page(request, code, year)


@requires("funds.review")
@require_POST
def finding_create(request, code: str, year: int):
    actor = request.actor
    record = selectors_budget.audit_get(actor=actor, code=code, year=year)
    form = FindingForm(request.POST, prefix="finding")
    if run_form(request, form, lambda d: audits.finding_add(
            actor=actor, audit_=record, text=d["text"], due_on=d["due_on"]),
            success=_("Finding recorded.")):
        return redirect("funds:audit_detail", code, year)
    return _audit_page(request, code, year, forms={"finding": form}, status=400)


@requires("funds.write", "funds.review")
@require_POST
def finding_progress(request, code: str, year: int):
    actor = request.actor
    record = selectors_budget.audit_get(actor=actor, code=code, year=year)
    form = FindingProgressForm(request.POST)
    failed = request.POST.get("finding", "")
    if form.is_valid():
        finding = selectors_budget.finding_get(actor=actor, audit_=record, pk=form.cleaned_data["finding"])
        try:
            audits.finding_progress(actor=actor, finding=finding, state=form.cleaned_data["state"],
                                    note=form.cleaned_data["note"], on=form.cleaned_data["on"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Finding updated."))
            return redirect("funds:audit_detail", code, year)
    return _audit_page(request, code, year, forms={"progress": form, "failed_id": failed}, status=400)


@requires("funds.view")
def finding_overdue_list(request):
    actor = request.actor
    qs = selectors_budget.findings_overdue(actor=actor, today=timezone.localdate())

    def url(f):
        return reverse("funds:audit_detail", args=[f.audit.org.code, f.audit.year])

    columns = [
        Column(_("Audited union"), lambda f: f.audit.org.name, url=url),
        Column(_("Year audited"), lambda f: f.audit.year),
        Column(_("Finding"), lambda f: f.text, url=url),
        Column(_("State"), lambda f: f.get_state_display()),
        Column(_("Rectify by"), lambda f: f.due_on, sort="due_on"),
        Column(_("Days overdue"), lambda f: (timezone.localdate() - f.due_on).days),
    ]
    page = ListPage(request, qs, columns, default_sort="due_on", export_name="findings_overdue",
                    object_type="funds.audit", export_title=_("Audit findings overdue"))
    return page.response("core/list.html", {"title": _("Audit findings overdue")})


# --- suppliers -------------------------------------------------------------------------------------------------------

def _supplier_page(request, forms: dict | None = None, status: int = 200):
    actor = request.actor
    forms = forms or {}
    settings_ = actor.can("funds.settings")
    qs = selectors_budget.supplier_list(actor=actor)
    columns = [
        Column(_("Supplier"), lambda s: s.name, sort="name"),
        Column(_("Unified social credit code"), lambda s: s.uscc),
        Column(_("Kept by"), lambda s: s.org.name),
        Column(_("On the list"), lambda s: s.active, sort="active"),
    ]
    page = ListPage(request, qs, columns, default_sort="name", export_name="suppliers",
                    object_type="funds.supplier", export_title=_("Central purchasing suppliers"))
    context = {
        "title": _("Central purchasing suppliers"), "can_settings": settings_,
        "add_form": forms.get("add") or (SupplierForm(actor=actor, prefix="add", initial={
            "federation": actor.org.code}) if settings_ else None),
        "import_form": forms.get("import") or (SupplierImportForm(actor=actor, prefix="import", initial={
            "federation": actor.org.code}) if settings_ else None),
        "import_problems": forms.get("problems") or [],
    }
    if status != 200:
        page.paginate()
        return render(request, "funds/budget_suppliers.html", {"listing": page, **context}, status=status)
    return page.response("funds/budget_suppliers.html", context)


@requires("funds.view")
def supplier_list(request):
    return _supplier_page(request)


@requires("funds.settings")
@require_POST
def supplier_create(request):
    actor = request.actor
    form = SupplierForm(request.POST, actor=actor, prefix="add")
    if run_form(request, form, lambda d: audits.supplier_add(
            actor=actor, org=_union(actor, d["federation"]), name=d["name"], uscc=d["uscc"]),
            success=lambda s: _("%(name)s is on the list.") % {"name": s.name}):
        return redirect("funds:suppliers")
    return _supplier_page(request, forms={"add": form}, status=400)


@requires("funds.settings")
@require_POST
def supplier_import(request):
    actor = request.actor
    form = SupplierImportForm(request.POST, request.FILES, actor=actor, prefix="import")
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            form.add_error("file", _("The file is larger than 5 MB."))
        else:
            content = upload.read()
            try:
                done = audits.supplier_import(actor=actor, org=_union(actor, form.cleaned_data["federation"]),
                                              data=content, filename=upload.name)
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    apply_validation_error(form, exc)
                else:
                    _keep_report(request, audits.supplier_rows(content, upload.name).report())
                    return _supplier_page(request, forms={"import": form, "problems": exc.messages}, status=400)
            else:
                messages.success(request, _("Suppliers imported: %(a)s added, %(r)s back on the list, %(k)s already "
                                            "on it.") % {"a": done["added"], "r": done["restored"],
                                                          "k": done["kept"]})
                return redirect("funds:suppliers")
    return _supplier_page(request, forms={"import": form}, status=400)


REPORT_SECONDS = 3600


def _keep_report(request, content: bytes) -> None:
    """The error report of the last refused import, kept for this session only (downloaded from the page)."""
    token = secrets.token_urlsafe(16)
    cache.set(f"funds:supplier-report:{token}", content, REPORT_SECONDS)
    request.session[SESSION_REPORT] = token


@requires("funds.settings")
def supplier_import_report(request):
    token = request.session.get(SESSION_REPORT, "")
    content = cache.get(f"funds:supplier-report:{token}") if token else None
    if content is None:
        raise Http404
    return xlsx_response(content, export_filename(_("Supplier import problems"), unit=request.actor.org))


@requires("funds.settings")
@require_POST
def supplier_deactivate(request):
    actor = request.actor
    supplier = selectors_budget.supplier_get(actor=actor, pk=request.POST.get("supplier", ""))
    try:
        audits.supplier_deactivate(actor=actor, supplier=supplier)
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(request, _("%(name)s is off the list.") % {"name": supplier.name})
    return redirect("funds:suppliers")



@requires("oversight.write")
@require_POST
def findings_to_problems(request, code: str, year: int):
    actor = request.actor
    record = selectors_budget.audit_get(actor=actor, code=code, year=year)
    run_action(request, lambda: audits.findings_to_problems(actor=actor, audit_=record),
               success=lambda made: _("%(n)s findings put on the problem list.") % {"n": len(made)})
    return redirect("funds:audit_detail", code, year)
