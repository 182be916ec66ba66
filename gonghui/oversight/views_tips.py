"""The office's tip pages (作风直通车): the list, a tip's page (the contact masked, reveal with a reason), the
answer the sender reads with the codes, and putting the tip on the problem list."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gonghui.core import audit
from gonghui.core.forms import apply_validation_error, run_form
from gonghui.core.listing import Column, ListPage
from gonghui.core.models import Outcome
from gonghui.core.reveal import reveal
from gonghui.core.views import requires

from . import casework_links, selectors_visits, tips
from .forms_visits import AnswerForm, CaseReferForm, TipFilterForm, TipProblemForm
from .models import TipFate


def crumbs(*items):
    return [{"label": _("Conduct mailbox tips"), "url": reverse("oversight:tips")}, *({"label": i} for i in items)]


@never_cache
@requires("oversight.view")
def tip_list(request):
    actor = request.actor
    form = TipFilterForm(request.GET or None)
    filters = dict(form.cleaned_data) if form.is_bound and form.is_valid() else {}
    qs = selectors_visits.tip_list(actor=actor, filters=filters)

    def url(t):
        return reverse("oversight:tip_detail", args=[t.pk])

    columns = [Column(_("Tracking code"), lambda t: t.code, url=url),
               Column(_("Tip subject"), lambda t: t.subject, url=url),
               Column(_("Received by"), lambda t: t.org.name),
               Column(_("Received at"), lambda t: t.created_at.date()),
               Column(_("Contact"), lambda t: _("Given") if (t.contact_name or t.contact_phone) else _("Anonymous")),
               Column(_("State"), lambda t: t.get_state_display()),
               Column(_("What was done with it"), lambda t: t.link_label or t.get_fate_display())]
    page = ListPage(request, qs, columns, filter_form=form, export_name="tips", object_type="oversight.tip",
                    export_title=_("Conduct mailbox tips"))
    page.queryset = qs
    return page.response("core/list.html", {"title": _("Conduct mailbox tips: %(org)s") % {"org": actor.org.name}})


def _page(request, tip, *, answer_form=None, problem_form=None, case_form=None, status=200):
    actor = request.actor
    can_write = actor.can("oversight.write")
    return render(request, "oversight/tip.html", {
        "title": _("Tip %(code)s") % {"code": tip.code}, "tip": tip, "contact": tips.contact_masked(tip),
        "can_reveal": bool(tip.contact_name or tip.contact_phone) and actor.can("personal.reveal"),
        "answer_form": (answer_form or AnswerForm(initial={"answer": tip.answer})) if can_write else None,
        "problem_form": (problem_form or TipProblemForm(initial={"title": tip.subject}))
        if can_write and not tip.fate else None,
        "case_form": (case_form or CaseReferForm(initial={"subject": tip.subject[:100]}))
        if can_write and actor.can("case.write") and not tip.fate else None,
        "problem_url": reverse("oversight:problem_detail", args=[tip.link_id]) if tip.fate == TipFate.PROBLEM
        else casework_links.case_url(tip), "breadcrumbs": crumbs(tip.code)}, status=status)


@never_cache
@requires("oversight.view")
def tip_detail(request, pk: int):
    return _page(request, selectors_visits.tip_get(actor=request.actor, pk=pk))


@require_POST
@requires("oversight.write")
def tip_answer(request, pk: int):
    actor = request.actor
    tip = selectors_visits.tip_get(actor=actor, pk=pk)
    form = AnswerForm(request.POST)
    if run_form(request, form, lambda d: tips.tip_answer(actor, tip=tip, answer=d["answer"]),
                success=_("Answer recorded.")):
        return redirect("oversight:tip_detail", pk=pk)
    return _page(request, tip, answer_form=form, status=422)


@require_POST
@requires("oversight.write")
def tip_problem(request, pk: int):
    actor = request.actor
    tip = selectors_visits.tip_get(actor=actor, pk=pk)
    form = TipProblemForm(request.POST)
    if form.is_valid():
        try:
            problem = tips.tip_to_problem(actor, tip=tip, category=form.cleaned_data["category"],
                                          title=form.cleaned_data["title"])
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                messages.error(request, "；".join(exc.messages))
                return redirect("oversight:tip_detail", pk=pk)
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Problem %(number)s put on the problem list.") % {"number": problem.number})
            return redirect("oversight:tip_detail", pk=pk)
    return _page(request, tip, problem_form=form, status=422)


@require_POST
@requires("oversight.write")
def tip_case(request, pk: int):
    """File the tip as a request case (诉求) at the actor's unit; the contact stays with the tip."""
    actor = request.actor
    tip = selectors_visits.tip_get(actor=actor, pk=pk)
    if not actor.can("case.write"):
        raise PermissionDenied("case.write")
    form = CaseReferForm(request.POST)
    if form.is_valid():
        try:
            case = casework_links.tip_to_case(actor, tip=tip, **form.cleaned_data)
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                messages.error(request, "；".join(exc.messages))
                return redirect("oversight:tip_detail", pk=pk)
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Request case %(code)s opened.") % {"code": case.code})
            return redirect("oversight:tip_detail", pk=pk)
    return _page(request, tip, case_form=form, status=422)


@require_POST
@requires("oversight.view")
def tip_reveal(request, pk: int):
    actor = request.actor
    tip = selectors_visits.tip_get(actor=actor, pk=pk)
    reason = (request.POST.get("reason") or "").strip()
    if len(reason) < 2:
        audit.record(actor=actor, action="personal.reveal", object_type="oversight.tip", object_id=tip.pk,
                     scope_path=tip.org_path, outcome=Outcome.DENIED, details={"why": "no reason"})
        return HttpResponse(format_html('<span class="text-danger">{}</span>', _("Say why you need to see it.")),
                            status=422)
    values = [reveal(actor=actor, obj=tip, field_name=f, reason=reason, object_type="oversight.tip",
                     object_id=str(tip.pk), scope_path=tip.org_path)
              for f in ("contact_name", "contact_phone") if getattr(tip, f)]
    response = HttpResponse(format_html('<span class="gh-revealed">{}</span>', " ".join(values)))
    response["Cache-Control"] = "no-store"
    return response
