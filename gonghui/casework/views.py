"""The back office: the inbox of a unit's subtree, the front desk's one-screen intake, and a case's page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from gonghui.core.forms import apply_validation_error
from gonghui.core.identity import mask
from gonghui.core.listing import Column, ListPage
from gonghui.core.views import requires
from gonghui.orgs.selectors import org_get

from . import forms, intake, selectors, services
from .common import local_today
from .models import ANSWERED, RUNNING, Channel, CoHandler, State

PAUSE_STATES = (State.RECEIVED, State.ACCEPTED, State.IN_PROGRESS, State.RETURNED, State.REOPENED)
REPLY_STATES = PAUSE_STATES
TAB_LABELS = {
    "open": gettext_lazy("All being handled"), "accept": gettext_lazy("To accept"),
    "progress": gettext_lazy("In progress"), "followup": gettext_lazy("Awaiting follow-up"),
    "overdue": gettext_lazy("Overdue"), "closed": gettext_lazy("Closed"), "cohandling": gettext_lazy("Co-handling"),
}


# Each action's card on the case page: title and button.
ACTION_LABELS = {
    "accept": (gettext_lazy("Acceptance"), gettext_lazy("Accept the case")),
    "return": (gettext_lazy("Return"), gettext_lazy("Return to the dispatcher")),
    "dispatch": (gettext_lazy("Dispatch"), gettext_lazy("Dispatch")),
    "reply": (gettext_lazy("Reply to the worker"), gettext_lazy("Send the reply")),
    "progress": (gettext_lazy("Record progress"), gettext_lazy("Save")),
    "pause": (gettext_lazy("Missing papers"), gettext_lazy("Stop the clock and tell the worker")),
    "resume": (gettext_lazy("Papers complete"), gettext_lazy("Resume the clock")),
    "follow_up": (gettext_lazy("Follow-up"), gettext_lazy("Record the follow-up")),
    "close": (gettext_lazy("Close the case"), gettext_lazy("Close")),
    "reopen": (gettext_lazy("Reopen"), gettext_lazy("Handle it again")),
    "cohandler": (gettext_lazy("Add a co-handling unit"), gettext_lazy("Add")),
    "cohandler_report": (gettext_lazy("Our co-handling opinion"), gettext_lazy("Send")),
    "reclassify": (gettext_lazy("Reclassify"), gettext_lazy("Save")),
}


# Less frequent actions start folded on the case page.
FOLDED = ("pause", "cohandler", "reclassify")


def crumbs(*items):
    return [{"label": _("Case inbox"), "url": reverse("casework:inbox")}, *({"label": i} for i in items)]


def _due(case) -> str:
    text = case.due_on.isoformat()
    return text + _(" (provisional)") if case.due_provisional else text


def _columns() -> list[Column]:
    def url(c):
        return reverse("casework:detail", args=[c.code])

    return [
        Column(_("Case code"), lambda c: c.code, url=url),
        Column(_("Subject"), lambda c: c.subject, url=url),
        Column(_("Worker"), lambda c: c.worker_name),
        Column(_("Phone"), lambda c: mask(c.phone, kind="phone")),
        Column(_("Channel"), lambda c: c.get_channel_display()),
        Column(_("Topic"), lambda c: c.get_topic_display()),
        Column(_("Handling unit"), lambda c: c.holder_org.name),
        Column(_("State"), lambda c: c.get_state_display()),
        Column(_("Received on"), lambda c: c.received_on),
        Column(_("Due on"), _due),
        Column(_("Color"), lambda c: c.get_color_display() if c.color else ""),
    ]


@never_cache
@requires("case.view")
def inbox(request):
    """A unit's inbox: its subtree's cases on tabs, the most urgent first, with counts."""
    actor = request.actor
    form = forms.InboxFilterForm(request.GET or None, actor=actor)
    filters = dict(form.cleaned_data) if form.is_valid() else {}
    org = actor.org
    if code := (filters.pop("org", "") or "").strip():
        org = org_get(actor=actor, code=code.upper())
    tab = request.GET.get("tab", "open")
    tab = tab if tab in selectors.TABS else "open"
    today = local_today()
    qs = selectors.inbox(actor=actor, org=org, tab=tab, filters=filters, today=today)
    page = ListPage(request, qs, _columns(), filter_form=form, export_name=f"cases-{tab}", object_type="case",
                    export_title=_("Case register (%(tab)s)") % {"tab": TAB_LABELS[tab]}, export_unit=org)
    page.queryset = qs  # keep the inbox's urgency order
    if request.GET.get("export") == "xlsx":
        return page.export()
    counts = selectors.inbox_counts(actor=actor, org=org, today=today)
    # Unfiltered, a tab's total is its pre-aggregated count: no COUNT over the subtree for the pager.
    page.paginate(total=None if any(filters.values()) or form.errors else counts[tab])
    base = request.GET.copy()
    base.pop("page", None)
    tabs = []
    for key in selectors.TABS:
        base["tab"] = key
        tabs.append({"key": key, "label": TAB_LABELS[key], "count": counts[key], "active": key == tab,
                     "url": "?" + base.urlencode()})
    actions = [{"label": _("Log a visit or call"), "url": reverse("casework:new")}] if actor.can("case.write") else []
    return render(request, "casework/inbox.html", {
        "title": _("Case inbox: %(org)s") % {"org": org.name}, "listing": page, "tabs": tabs, "tab": tab,
        "org": org, "today": today, "page_actions": actions,
        "reminders": selectors.reminders(actor=actor, limit=10) if tab == "open" else [],
    })


@never_cache
@requires("case.write")
def case_new(request):
    """The front desk: a visit, call, letter, grid officer's report or referral on one screen."""
    actor = request.actor
    form = forms.IntakeForm(request.POST or None, actor=actor, dispatch_below=actor.org.code)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                result = intake.case_log(actor=actor, data=form.intake_data())
                case = result.case
                if not result.linked:
                    if code := form.cleaned_data["dispatch_to"]:
                        case = services.case_dispatch(actor=actor, case=case, to=org_get(actor=actor, code=code))
                    elif reply := form.cleaned_data["reply"].strip():
                        case = services.case_reply(actor=actor, case=case, reply=reply)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            if result.linked and not actor.covers(case.org_path):
                messages.info(request, _("This worker already has an open request on this topic, handled by another "
                                         "unit; this contact was added to it."))
                return redirect("casework:new")
            if result.linked:
                messages.info(request, _("This worker already has an open request on this topic: this contact was "
                                         "added to case %(code)s.") % {"code": case.code})
            else:
                messages.success(request, _("Case %(code)s logged; tell the worker the code and that they can track "
                                            "it with the last 4 digits of their phone.") % {"code": case.code})
            return redirect("casework:detail", case_code=case.code)
    return render(request, "casework/new.html", {"title": _("Log a visit or call"), "form": form,
                                                 "breadcrumbs": crumbs(_("Log a visit or call"))},
                  status=422 if form.is_bound and form.errors else 200)


def available_forms(actor, case, bound: dict | None = None) -> dict:
    """The actions the actor may take on the case now, each with its form (the one just posted, bound)."""
    bound = bound or {}
    write = actor.can("case.write")
    full = write and actor.covers(case.org_path)
    receiver = write and actor.org is not None and actor.org.pk == case.holder_org_id
    out = {}

    def offer(name, condition, factory):
        if condition:
            out[name] = bound.get(name) or factory()

    can_dispatch = full and selectors.dispatch_targets(actor=actor, case=case).exists()
    offer("accept", receiver and case.state in (State.RECEIVED, State.DISPATCHED, State.RETURNED, State.REOPENED),
          lambda: forms.AcceptForm(initial={"complexity": case.complexity}))
    offer("return", receiver and case.state == State.DISPATCHED, forms.ReturnForm)
    offer("dispatch", can_dispatch and case.state in (State.RECEIVED, State.RETURNED, State.REOPENED,
                                                                   State.ACCEPTED),
          lambda: forms.DispatchForm(actor=actor, below=case.holder_org.code))
    offer("progress", full and case.state in RUNNING, forms.ProgressForm)
    offer("reply", full and case.state in REPLY_STATES, forms.ReplyForm)
    offer("pause", full and case.state in PAUSE_STATES and not case.is_paused, forms.PauseForm)
    offer("resume", full and case.is_paused, forms.forms.Form)
    offer("follow_up", full and case.state in (State.REPLIED, State.FOLLOWED_UP), forms.FollowUpForm)
    offer("close", full and case.state == State.FOLLOWED_UP, forms.CloseForm)
    offer("reopen", full and case.state in ANSWERED, forms.ReopenForm)
    offer("cohandler", full and case.state in RUNNING,
          lambda: forms.CoHandlerForm(actor=actor))
    offer("reclassify", full and case.state in RUNNING, lambda: forms.ReclassifyForm(initial={
        "category": case.category, "topic": case.topic, "complexity": case.complexity}))
    offer("cohandler_report", write and case.state in RUNNING and actor.org is not None and CoHandler.objects.filter(
        case=case, org=actor.org, reported_at__isnull=True).exists(), forms.CoReportForm)
    return out


def render_detail(request, case, *, bound: dict | None = None, status: int = 200):
    actor = request.actor
    case = selectors.case_get(actor=actor, code=case.code)
    full = selectors.case_fully_visible(actor=actor, case=case)
    return render(request, "casework/detail.html", {
        "title": _("Case %(code)s") % {"code": case.code}, "case": case, "full": full,
        "phone_masked": mask(case.phone, kind="phone"),
        "can_reveal": full and actor.can("personal.reveal") and bool(case.phone),
        "reveal_form": forms.RevealForm(),
        "actions": [{"name": name, "form": form, "title": ACTION_LABELS[name][0], "button": ACTION_LABELS[name][1],
                     "url": reverse(f"casework:case_{name}", args=[case.code]), "folded": name in FOLDED}
                    for name, form in (available_forms(actor, case, bound) if actor.can("case.write") else {}).items()],
        "events": selectors.timeline(case=case),
        "intakes": case.intakes.select_related("org", "received_by").order_by("received_at", "pk"),
        "pauses": case.pauses.order_by("started_at", "pk"),
        "cohandlers": case.cohandlers.select_related("org").order_by("added_at", "pk"),
        "alerts": selectors.case_alerts(case=case),
        "now": timezone.now(), "breadcrumbs": crumbs(case.code), "repeat": _repeat(actor, case, full),
        "origin": _origin(actor, case),
    }, status=status)


def _origin(actor, case) -> dict | None:
    """A case filed from a field visit's finding or a conduct-mailbox tip (oversight) names and links its origin."""
    if case.channel != Channel.REFERRAL:
        return None
    from gonghui.oversight.casework_links import case_origin

    return case_origin(actor=actor, case=case)


def _repeat(actor, case, full: bool) -> dict | None:
    """The possible-repeat flag, only for an earlier case in the subtree the request was filed to; the earlier case
    is named only when the actor's scope holds it, and a holder outside that scope is never named."""
    if case.repeat_of_id is None or not case.repeat_in_reach:
        return None
    earlier = case.repeat_of
    covered = actor.covers(earlier.org_path)
    return {"earlier": earlier if covered else None, "linked": case.linked_at is not None,
            "can_link": full and covered and case.is_possible_repeat and actor.can("case.write")}


@never_cache
@requires("case.view")
def case_detail(request, case_code: str):
    return render_detail(request, selectors.case_get(actor=request.actor, code=case_code))
