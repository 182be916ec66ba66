"""The supervision list (cases escalated to a unit's subtree when overdue) and the time-limit policy table."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gonghui.core.forms import apply_validation_error
from gonghui.core.views import requires

from . import forms, policies, selectors, services
from .views import crumbs


def _supervision_page(request, *, form=None, failed_id=None, status=200):
    actor = request.actor
    handled = request.GET.get("show") == "handled"
    qs = selectors.supervision_list(actor=actor, handled=handled)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "casework/supervision.html", {
        "title": _("Supervision list"), "page": page, "handled": handled, "form": form, "failed_id": failed_id,
        "can_write": actor.can("case.write"), "breadcrumbs": crumbs(_("Supervision list")),
    }, status=status)


@never_cache
@requires("case.view")
def supervision(request):
    return _supervision_page(request)


@never_cache
@require_POST
@requires("case.write")
def supervise(request):
    actor = request.actor
    form = forms.SuperviseForm(request.POST)
    if form.is_valid():
        alert = selectors.supervision_get(actor=actor, pk=form.cleaned_data["alert"])
        try:
            services.escalation_supervise(actor=actor, alert=alert, note=form.cleaned_data["note"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Supervision note recorded on case %(code)s.") % {"code": alert.case.code})
            return redirect("casework:supervision")
    return _supervision_page(request, form=form, failed_id=request.POST.get("alert"), status=422)


def _policy_page(request, *, add_form=None, errors=None, status=200):
    rows = policies.policy_list(actor=request.actor)
    return render(request, "casework/policies.html", {
        "title": _("Time-limit policy"), "rows": rows, "add_form": add_form or forms.PolicyForm(),
        "row_errors": errors or {}, "breadcrumbs": [{"label": _("Time-limit policy")}],
    }, status=status)


@never_cache
@requires("case.policy")
def policy_table(request):
    """Every rule with its days and commitment editable in place; one save for the table (all or nothing)."""
    if request.method != "POST":
        return _policy_page(request)
    errors = {}
    updates = []
    for row in policies.policy_list(actor=request.actor):
        days = request.POST.get(f"days-{row.pk}")
        commitment = request.POST.get(f"commitment-{row.pk}", row.commitment)
        if days is None:
            continue
        if str(days).strip() != str(row.working_days) or commitment.strip() != row.commitment:
            updates.append((row.pk, days, commitment))
    try:
        with transaction.atomic():
            for pk, days, commitment in updates:
                try:
                    policies.policy_update(actor=request.actor, pk=pk, working_days=days, commitment=commitment)
                except ValidationError as exc:
                    errors[pk] = exc.messages
            if errors:
                raise ValidationError("rolled back")
    except ValidationError:
        return _policy_page(request, errors=errors, status=422)
    messages.success(request, _("%(n)s rules changed. New cases follow them; cases already received keep their "
                                "time limit.") % {"n": len(updates)})
    return redirect("casework:policies")


@never_cache
@require_POST
@requires("case.policy")
def policy_add(request):
    form = forms.PolicyForm(request.POST)
    if form.is_valid():
        try:
            policies.policy_add(actor=request.actor, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Rule added."))
            return redirect("casework:policies")
    return _policy_page(request, add_form=form, status=422)


@never_cache
@require_POST
@requires("case.policy")
def policy_delete(request):
    try:
        policies.policy_delete(actor=request.actor, pk=int(request.POST.get("rule", "0")))
    except ValueError:
        return redirect("casework:policies")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Rule deleted."))
    return redirect(reverse("casework:policies"))


urlpatterns = [
    path("cases/supervision/", supervision, name="supervision"),
    path("cases/supervision/note/", supervise, name="supervise"),
    path("cases/policies/", policy_table, name="policies"),
    path("cases/policies/add/", policy_add, name="policy_add"),
    path("cases/policies/delete/", policy_delete, name="policy_delete"),
]
