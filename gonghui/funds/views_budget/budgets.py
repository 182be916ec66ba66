"""Budget pages: the list of budgets in the subtree, a budget's page (lines, execution at a date, review, approval,
adjustments, xlsx), the final account (决算) and the public board's publish action."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core import audit
from gonghui.core.forms import apply_validation_error, run_form
from gonghui.core.listing import Column, ListPage
from gonghui.core.spreadsheets import export_filename, sheet_name, write_xlsx, xlsx_response
from gonghui.core.views import requires
from gonghui.orgs.selectors import org_get

from .. import budgets, selectors_budget
from ..books import accounts_of, book_open
from ..models import AccountKind, BudgetState, FinalAccountState
from .forms import (
    AdjustForm,
    BudgetCreateForm,
    BudgetFilterForm,
    BudgetLineForm,
    DecisionChoiceForm,
    FinalPickForm,
    LineRemoveForm,
    ReviewForm,
)


def _union(actor, code: str):
    return org_get(actor=actor, code=(code or "").strip().upper())


@requires("funds.view")
def budget_list(request):
    actor = request.actor
    form = BudgetFilterForm(request.GET or None, actor=actor)
    under, year, state = None, None, ""
    if form.is_bound and form.is_valid():
        if code := form.cleaned_data.get("union"):
            under = _union(actor, code)
        year, state = form.cleaned_data.get("year"), form.cleaned_data.get("state") or ""
    qs = selectors_budget.budget_list(actor=actor, year=year, state=state, under=under)

    def url(b):
        return reverse("funds:budget_detail", args=[b.org.code, b.year])

    columns = [
        Column(_("Union"), lambda b: b.org.name, url=url),
        Column(_("Year"), lambda b: b.year, sort="year"),
        Column(_("State"), lambda b: b.get_state_display(), sort="state"),
        Column(_("Approved by decision"), lambda b: b.decision.reference if b.decision else ""),
        Column(_("Approved at"), lambda b: timezone.localtime(b.approved_at).date() if b.approved_at else ""),
    ]
    page = ListPage(request, qs, columns, filter_form=form, default_sort="-year", export_name="budgets",
                    object_type="funds.budget", export_title=_("Budgets"))
    context = {"title": _("Budgets"), "create_form": BudgetCreateForm(actor=actor, prefix="new"),
               "can_write": actor.can("funds.write")}
    return page.response("funds/budget_list.html", context)



@requires("funds.write")
@require_POST
def budget_create(request):
    actor = request.actor
    form = BudgetCreateForm(request.POST, actor=actor, prefix="new")
    if form.is_valid():
        org = _union(actor, form.cleaned_data["union"])
        try:
            budget = budgets.budget_create(actor=actor, org=org, year=form.cleaned_data["year"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Budget drafted: add its lines."))
            return redirect("funds:budget_detail", budget.org.code, budget.year)
    for field, errors in form.errors.items():
        for e in errors:
            messages.error(request, f"{form.fields[field].label}：{e}" if field in form.fields else e)
    return redirect("funds:budgets")


def _on(request, year: int) -> datetime.date:
    today = timezone.localdate()
    default = today if today.year == year else datetime.date(year, 12, 31)
    try:
        on = datetime.date.fromisoformat(request.GET.get("on", ""))
    except ValueError:
        return default
    return on if on.year == year else default


def _expense_accounts(budget) -> list:
    book = book_open(org=budget.org, year=budget.year)
    return list(accounts_of(book).filter(kind=AccountKind.EXPENSE).order_by("path").values_list("code", "path"))


def _budget_page(request, code: str, year: int, forms: dict | None = None, status: int = 200):
    actor = request.actor
    budget = selectors_budget.budget_get(actor=actor, code=code, year=year)
    on = _on(request, year)
    if request.GET.get("export") == "xlsx":
        actor.require("export")
        headers, body = budgets.budget_sheet(budget, on=on)
        title = _("Budget execution %(year)s") % {"year": year}
        audit.record(actor=actor, action="export", object_type="funds.budget", object_id=budget.pk,
                     scope_path=budget.org_path, details={"filters": {"on": on.isoformat()}, "masked": True})
        return xlsx_response(write_xlsx(headers, body, sheet=sheet_name(title)),
                             export_filename(title, unit=budget.org, on=on))
    rows, unbudgeted = budgets.budget_execution(budget, on=on)
    forms = forms or {}
    write = actor.can("funds.write")
    decisions = list(selectors_budget.decisions_of(actor=actor, org=budget.org))
    offer = {
        "line": write and budget.state == BudgetState.DRAFT,
        "review": actor.can("funds.review") and budget.state in (BudgetState.DRAFT, BudgetState.REVIEWED),
        "approve": write and budget.state == BudgetState.REVIEWED,
        "adjust": write and budget.state == BudgetState.APPROVED,
    }
    context = {
        "title": _("Budget %(year)s: %(org)s") % {"year": year, "org": budget.org.name}, "budget": budget,
        "rows": rows, "unbudgeted": unbudgeted, "on": on, "offer": offer, "decisions": decisions,
        "total_budget": sum((r.budget for r in rows), budgets.ZERO),
        "total_actual": sum((r.actual for r in rows), budgets.ZERO) + unbudgeted,
        "accounts": _expense_accounts(budget) if offer["line"] or offer["adjust"] else [],
        "line_form": forms.get("line") or BudgetLineForm(prefix="line"),
        "review_form": forms.get("review") or ReviewForm(prefix="review"),
        "approve_form": forms.get("approve") or DecisionChoiceForm(prefix="approve", decisions=decisions),
        "adjust_form": forms.get("adjust") or AdjustForm(prefix="adjust", decisions=decisions),
        "reviews": budget.reviews.select_related("reviewed_by").order_by("-reviewed_at", "-pk"),
        "adjustments": budget.adjustments.select_related("line__account", "decision", "created_by")
        .order_by("-created_at", "-pk"),
        "can_export": actor.can("export"),
    }
    return render(request, "funds/budget_detail.html", context, status=status)


@requires("funds.view")
def budget_detail(request, code: str, year: int):
    return _budget_page(request, code, year)


def _decision(actor, budget_org, reference: str):
    return selectors_budget.decision_by_ref(actor=actor, org=budget_org, reference=reference)


def _budget_action(kind: str, perm: str, form_class, perform):
    """A POST on a budget's page: the form is checked, the service called; on failure the page shows the errors."""

    def view(request, code: str, year: int):
        actor = request.actor
        budget = selectors_budget.budget_get(actor=actor, code=code, year=year)
        extra = {}
        if form_class in (DecisionChoiceForm, AdjustForm):
            extra["decisions"] = selectors_budget.decisions_of(actor=actor, org=budget.org)
        form = form_class(request.POST, prefix=kind, **extra)
        if run_form(request, form, lambda d: perform(actor, budget, d),
                    success=lambda note: note):
            return redirect("funds:budget_detail", code, year)
        return _budget_page(request, code, year, forms={kind: form}, status=400)

    view.__name__ = f"budget_{kind}"
    return requires(perm)(require_POST(view))


def _line(actor, budget, data):
    budgets.budget_line_set(actor=actor, budget=budget, account=data["account"], amount=data["amount"])
    return _("Budget line saved.")


def _review(actor, budget, data):
    if data["outcome"] == "return":
        budgets.budget_return(actor=actor, budget=budget, opinion=data["opinion"])
        return _("Budget sent back to draft.")
    budgets.budget_review(actor=actor, budget=budget, opinion=data["opinion"])
    return _("Budget reviewed.")


def _approve(actor, budget, data):
    budgets.budget_approve(actor=actor, budget=budget, decision=_decision(actor, budget.org, data["decision"]))
    return _("Budget approved.")


def _adjust(actor, budget, data):
    budgets.budget_adjust(actor=actor, budget=budget, account=data["account"], change=data["change"],
                          reason=data["reason"], decision=_decision(actor, budget.org, data["decision"]))
    return _("Adjustment recorded; the line's amount is updated.")


def _line_remove(actor, budget, data):
    budgets.budget_line_remove(actor=actor, budget=budget, line_id=data["line"])
    return _("Budget line removed.")


budget_line = _budget_action("line", "funds.write", BudgetLineForm, _line)
budget_line_remove = _budget_action("remove", "funds.write", LineRemoveForm, _line_remove)
budget_review = _budget_action("review", "funds.review", ReviewForm, _review)
budget_approve = _budget_action("approve", "funds.write", DecisionChoiceForm, _approve)
budget_adjust = _budget_action("adjust", "funds.write", AdjustForm, _adjust)


# --- the final account and the public board ----------------------------------------------------------------------

@requires("funds.view")
def final_pick(request):
    """The final account of a union and year chosen in a form (GET)."""
    form = FinalPickForm(request.GET or None, actor=request.actor)
    if form.is_bound and form.is_valid():
        org = _union(request.actor, form.cleaned_data["union"])
        return redirect("funds:final_detail", org.code, form.cleaned_data["year"])
    return render(request, "funds/budget_final_pick.html",
                  {"title": _("Final accounts and public board"), "form": form}, status=400 if form.is_bound else 200)


def _final_page(request, code: str, year: int, form=None, status: int = 200):
    actor = request.actor
    org = _union(actor, code)
    final = selectors_budget.final_get(actor=actor, org=org, year=year)
    if request.GET.get("export") == "xlsx" and final is not None:
        actor.require("export")
        headers, body = budgets.final_sheet(final)
        title = _("Final account %(year)s") % {"year": year}
        audit.record(actor=actor, action="export", object_type="funds.final_account", object_id=final.pk,
                     scope_path=org.path, details={"filters": {"year": year}, "masked": True})
        return xlsx_response(write_xlsx(headers, body, sheet=sheet_name(title)), export_filename(title, unit=org))
    write = actor.can("funds.write")
    decisions = list(selectors_budget.decisions_of(actor=actor, org=org))
    board = selectors_budget.disclosure_get(actor=actor, org=org, year=year)
    context = {
        "title": _("Final account %(year)s: %(org)s") % {"year": year, "org": org.name}, "org": org, "year": year,
        "final": final, "approved": final is not None and final.state == FinalAccountState.APPROVED,
        "rows": [{**r, "kind_label": budgets.kind_label(r["kind"])} for r in (final.rows if final else [])],
        "can_write": write, "can_export": actor.can("export"),
        "approve_form": form or DecisionChoiceForm(prefix="approve", decisions=decisions),
        "board": board, "summary": budgets.disclosure_summary(org, year) if board is None else None,
        "budget": selectors_budget.budget_list(actor=actor).filter(org=org, year=year).first(),
    }
    return render(request, "funds/budget_final.html", context, status=status)


@requires("funds.view")
def final_detail(request, code: str, year: int):
    return _final_page(request, code, year)


def _final_post(name: str, perform):
    @requires("funds.write")
    @require_POST
    def view(request, code: str, year: int):
        actor = request.actor
        org = _union(actor, code)
        try:
            note = perform(request, actor, org, year)
        except ValidationError as exc:
            if isinstance(exc, _FormError):
                return _final_page(request, code, year, form=exc.form, status=400)
            for m in exc.messages:
                messages.error(request, m)
        else:
            messages.success(request, note)
        return redirect("funds:final_detail", org.code, year)

    view.__name__ = name
    return view


class _FormError(ValidationError):
    def __init__(self, form):
        super().__init__(_("Correct the form."))
        self.form = form


def _build(request, actor, org, year):
    budgets.final_account_build(actor=actor, org=org, year=year)
    return _("Final account built from the books.")


def _final_approve(request, actor, org, year):
    final = selectors_budget.final_get(actor=actor, org=org, year=year)
    decisions = selectors_budget.decisions_of(actor=actor, org=org)
    form = DecisionChoiceForm(request.POST, prefix="approve", decisions=decisions)
    if final is None:
        raise ValidationError(_("Build the final account before approving it."))
    if not form.is_valid():
        raise _FormError(form)
    try:
        budgets.final_account_approve(actor=actor, final=final,
                                      decision=_decision(actor, org, form.cleaned_data["decision"]))
    except ValidationError as exc:
        apply_validation_error(form, exc)
        raise _FormError(form) from None
    return _("Final account approved and frozen.")


def _publish(request, actor, org, year):
    budgets.disclosure_publish(actor=actor, org=org, year=year)
    return _("Published on the public board.")


def _withdraw(request, actor, org, year):
    budgets.disclosure_withdraw(actor=actor, org=org, year=year)
    return _("Taken off the public board.")


final_build = _final_post("final_build", _build)
final_approve = _final_post("final_approve", _final_approve)
disclosure_publish = _final_post("disclosure_publish", _publish)
disclosure_withdraw = _final_post("disclosure_withdraw", _withdraw)
