"""The case page's actions: one POST address each, calling one service. A refused action shows the page again
with the form's errors (422); a done one goes back to the page with a message."""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gonghui.core import audit
from gonghui.core.forms import apply_validation_error
from gonghui.core.models import Outcome
from gonghui.core.reveal import reveal
from gonghui.core.views import requires
from gonghui.orgs.selectors import org_get

from . import forms, intake, selectors, services
from .views import render_detail


@dataclass(frozen=True)
class CaseAction:
    name: str
    slug: str
    form: Callable  # (data, actor, case) -> form
    run: Callable  # (actor, case, cleaned) -> None
    done: str


def _org(actor, code):
    return org_get(actor=actor, code=code)


ACTIONS = [
    CaseAction("accept", "accept", lambda d, a, c: forms.AcceptForm(d),
               lambda a, c, f: services.case_accept(actor=a, case=c, complexity=f["complexity"]),
               gettext_lazy("Accepted: you are now the lead handler.")),
    CaseAction("return", "return", lambda d, a, c: forms.ReturnForm(d),
               lambda a, c, f: services.case_return(actor=a, case=c, reason=f["reason"]),
               gettext_lazy("Returned to the unit that dispatched it.")),
    CaseAction("dispatch", "dispatch",
               lambda d, a, c: forms.DispatchForm(d, actor=a, below=c.holder_org.code),
               lambda a, c, f: services.case_dispatch(actor=a, case=c, to=_org(a, f["to"]), note=f["note"],
                                                      department=f["department"]),
               gettext_lazy("Dispatched.")),
    CaseAction("progress", "progress", lambda d, a, c: forms.ProgressForm(d),
               lambda a, c, f: services.case_progress(actor=a, case=c, note=f["note"]),
               gettext_lazy("Progress recorded.")),
    CaseAction("reply", "reply", lambda d, a, c: forms.ReplyForm(d),
               lambda a, c, f: services.case_reply(actor=a, case=c, reply=f["reply"]),
               gettext_lazy("Replied; the worker is told by SMS.")),
    CaseAction("pause", "pause", lambda d, a, c: forms.PauseForm(d),
               lambda a, c, f: services.case_pause(actor=a, case=c, missing=f["missing"]),
               gettext_lazy("The clock is stopped; the worker is told everything missing.")),
    CaseAction("resume", "resume", lambda d, a, c: django_forms.Form(d),
               lambda a, c, f: services.case_resume(actor=a, case=c),
               gettext_lazy("The papers are complete; the due date has moved.")),
    CaseAction("follow_up", "follow-up", lambda d, a, c: forms.FollowUpForm(d),
               lambda a, c, f: services.case_follow_up(actor=a, case=c, satisfaction=f["satisfaction"],
                                                       note=f["note"]),
               gettext_lazy("Follow-up recorded.")),
    CaseAction("close", "close", lambda d, a, c: forms.CloseForm(d),
               lambda a, c, f: services.case_close(actor=a, case=c, solved=f["solved"]),
               gettext_lazy("Closed.")),
    CaseAction("reopen", "reopen", lambda d, a, c: forms.ReopenForm(d),
               lambda a, c, f: services.case_reopen(actor=a, case=c, reason=f["reason"]),
               gettext_lazy("Reopened with a new time limit.")),
    CaseAction("cohandler", "cohandlers",
               lambda d, a, c: forms.CoHandlerForm(d, actor=a),
               lambda a, c, f: services.cohandler_add(actor=a, case=c, org=_org(a, f["org"]), task=f["task"]),
               gettext_lazy("Co-handling unit added.")),
    CaseAction("cohandler_report", "opinion", lambda d, a, c: forms.CoReportForm(d),
               lambda a, c, f: services.cohandler_report(actor=a, case=c, report=f["report"]),
               gettext_lazy("Your opinion was sent to the lead handler.")),
    CaseAction("reclassify", "reclassify", lambda d, a, c: forms.ReclassifyForm(d),
               lambda a, c, f: services.case_reclassify(actor=a, case=c, category=f["category"], topic=f["topic"],
                                                        complexity=f["complexity"]),
               gettext_lazy("Reclassified; the time limit follows the policy table.")),
]


def _view(action: CaseAction):
    @never_cache
    @require_POST
    @requires("case.write")
    def view(request, case_code: str):
        actor = request.actor
        case = selectors.case_get(actor=actor, code=case_code)
        form = action.form(request.POST, actor, case)
        if form.is_valid():
            try:
                action.run(actor, case, form.cleaned_data)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, str(action.done))
                try:
                    selectors.case_get(actor=actor, code=case.code)
                except Http404:  # returned up the tree: no longer in this unit's scope
                    return redirect("casework:inbox")
                return redirect("casework:detail", case_code=case.code)
        return render_detail(request, case, bound={action.name: form}, status=422)

    view.__name__ = f"case_{action.name}"
    return view


@never_cache
@require_POST
@requires("case.write")
def case_link_repeat(request, case_code: str):
    """Link a request flagged as a possible repeat to the earlier open case (staff decide; the public form never
    does)."""
    case = selectors.case_get(actor=request.actor, code=case_code)
    try:
        intake.case_link_repeat(actor=request.actor, case=case)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Linked: the request is now handled as part of the earlier one."))
    return redirect("casework:detail", case_code=case.code)


@never_cache
@require_POST
@requires("personal.reveal")
def case_reveal(request, case_code: str):
    """The worker's phone in clear, with a reason (audited); for the handling units only."""
    actor = request.actor
    case = selectors.case_get(actor=actor, code=case_code)
    actor.require_covers(case.org_path)
    form = forms.RevealForm(request.POST)
    if not form.is_valid():
        audit.record(actor=actor, action="personal.reveal", object_type="case", object_id=case.code,
                     scope_path=case.org_path, outcome=Outcome.DENIED, details={"why": "no reason"})
        return HttpResponse(format_html('<span class="text-danger">{}</span>', _("Say why you need to see it.")),
                            status=422)
    value = reveal(actor=actor, obj=case, field_name="phone", reason=form.cleaned_data["reason"],
                   object_type="case", object_id=case.code, scope_path=case.org_path)
    response = HttpResponse(format_html('<span class="gh-revealed">{}</span>', value))
    response["Cache-Control"] = "no-store"
    return response


urlpatterns = [
    *(path(f"cases/<str:case_code>/{a.slug}/", _view(a), name=f"case_{a.name}") for a in ACTIONS),
    path("cases/<str:case_code>/reveal/", case_reveal, name="case_reveal"),
    path("cases/<str:case_code>/link-repeat/", case_link_repeat, name="case_link_repeat"),
]
