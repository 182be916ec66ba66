"""The time-limit policy table, and the old address of the supervision list (now shared: /supervision/)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gonghui.core.forms import run_form
from gonghui.core.views import requires

from . import forms, policies


@never_cache
@requires("case.view")
def supervision(request):
    """The former list of escalated cases: now the shared supervision list, showing requests."""
    return redirect(reverse("supervision:list") + "?kind=case")


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
    if run_form(request, form, lambda d: policies.policy_add(actor=request.actor, **d),
                success=_("Rule added.")):
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
    path("cases/policies/", policy_table, name="policies"),
    path("cases/policies/add/", policy_add, name="policy_add"),
    path("cases/policies/delete/", policy_delete, name="policy_delete"),
]
