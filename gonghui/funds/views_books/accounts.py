"""The chart of accounts of a union's book, with its own sub-accounts (added here); and the federation's upload of a
revised chart."""

import base64

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gonghui.core.forms import apply_validation_error, run_form
from gonghui.core.spreadsheets import export_filename, xlsx_response
from gonghui.core.tabular_guard import TableFileError
from gonghui.core.views import requires

from .. import books, chart_import
from .. import chart as charts
from . import forms
from .common import accounts, base_context, book_ref

SESSION_REPORT = "funds_chart_report"


def _render_accounts(request, ref, *, form=None, status=200):
    rows = accounts(request, ref)
    version = ref.book.chart if ref.book is not None else charts.chart_for(ref.org, ref.year)
    can_add = request.actor.can("funds.write")
    ctx = base_context(request, ref, "accounts", _("Chart of accounts: %(org)s, %(year)s") % {
        "org": ref.org.name, "year": ref.year}, _("Chart of accounts"))
    return render(request, "funds/books_accounts.html", {
        **ctx, "accounts": rows, "chart": version,
        "add_form": (form or forms.AccountAddForm(accounts=rows)) if can_add else None,
        "add_url": reverse("funds:account_add", args=ref.args)}, status=status)


@never_cache
@requires("funds.view")
def accounts_page(request, code: str, year: int):
    return _render_accounts(request, book_ref(request, code, year))


@never_cache
@requires("funds.write")
@require_POST
def account_add(request, code: str, year: int):
    """A union's own sub-account under one of its book's accounts."""
    actor = request.actor
    ref = book_ref(request, code, year)
    form = forms.AccountAddForm(request.POST, accounts=accounts(request, ref))
    if run_form(request, form, lambda d: books.account_add(
            actor=actor, org=ref.org, parent=d["parent"], name=d["name"], code=d["code"]),
            success=lambda acc: _("Sub-account %(path)s added.") % {"path": acc.path}):
        return redirect("funds:accounts", ref.org.code, year)
    return _render_accounts(request, ref, form=form, status=422)


@never_cache
@requires("funds.settings")
def chart_import_page(request):
    """Load a revised chart for the federation's subtree: all or nothing, problems listed by row."""
    actor = request.actor
    form = forms.ChartUploadForm(request.POST or None, request.FILES or None, actor=actor)
    result = None
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = chart_import.chart_import(actor=actor, org=actor.org, data=upload.read(),
                                                   filename=upload.name, name=form.cleaned_data["name"],
                                                   effective_year=form.cleaned_data["effective_year"])
            except TableFileError as exc:
                form.add_error("file", exc.messages)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                if result.ok:
                    messages.success(request, _("Chart %(name)s loaded: %(n)s accounts, in force from %(year)s for "
                                                "the unions of %(org)s.") % {
                        "name": result.chart.name, "n": len(result.accounts), "year": result.chart.effective_year,
                        "org": actor.org.name})
                    return redirect("funds:chart_import")
                request.session[SESSION_REPORT] = base64.b64encode(result.report()).decode()
    loaded = charts.ChartVersion.objects.filter(loaded_by__path__in=charts.ancestor_paths(actor.org.path)) \
        .select_related("loaded_by").order_by("-effective_year", "-pk")
    return render(request, "funds/books_chart_import.html", {
        "title": _("Load a chart of accounts"), "form": form, "result": result, "charts": loaded,
        "standard": charts.standard_chart()}, status=status)


@never_cache
@requires("funds.settings")
def chart_import_report(request):
    """The last refused upload's rows with their problems, as xlsx."""
    stored = request.session.get(SESSION_REPORT)
    if not stored:
        raise Http404
    return xlsx_response(base64.b64decode(stored), export_filename(_("Chart import problems"), unit=request.actor.org))
