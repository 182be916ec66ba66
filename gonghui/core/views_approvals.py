"""The approvals screen: requests waiting for a second person in the actor's subtree, one request with its
decision forms, and the maker's single use of an approved request (an export: the download)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import approvals
from .forms import StyledForm, run_form
from .listing import Column, ListPage
from .views import requires

SHOW_CHOICES = [("waiting", gettext_lazy("Waiting for me")), ("mine", gettext_lazy("My requests")),
                ("all", gettext_lazy("All"))]


class ShowForm(StyledForm):
    show = forms.ChoiceField(label=gettext_lazy("Show"), choices=SHOW_CHOICES, required=False)


class ApproveForm(StyledForm):
    note = forms.CharField(label=gettext_lazy("Note (optional)"), max_length=200, required=False)


class RejectForm(StyledForm):
    note = forms.CharField(label=gettext_lazy("Reason for rejecting (the requester is shown it)"), max_length=200)


def _crumbs(*items):
    return [{"label": _("Approvals"), "url": reverse("approvals:list")}, *({"label": i} for i in items)]


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _state_label(a) -> str:
    return approvals.State(approvals.current_state(a)).label


@never_cache
@requires("approval.decide")
def approval_list(request):
    form = ShowForm(request.GET or None)
    show = (form.cleaned_data["show"] if form.is_valid() else "") or "waiting"
    qs = approvals.approval_list(actor=request.actor, show=show)

    def url(a):
        return reverse("approvals:detail", args=[a.uid])

    columns = [
        Column(_("Request code"), lambda a: a.uid, url=url),
        Column(_("Kind"), lambda a: approvals.kind_of(a).label, url=url),
        Column(_("Unit"), lambda a: a.org.name, sort="org_path"),
        Column(_("Requested by"), lambda a: a.maker),
        Column(_("Requested at"), lambda a: _when(a.requested_at), sort="requested_at"),
        Column(_("Decide before"), lambda a: _when(a.expires_at)),
        Column(_("State"), _state_label),
    ]
    page = ListPage(request, qs, columns, filter_form=form, default_sort="-requested_at")
    return page.response(context={"title": _("Approvals"), "breadcrumbs": _crumbs()})


def _detail(request, approval, *, approve_form=None, reject_form=None, status=200):
    actor = request.actor
    state = approvals.current_state(approval)
    own = approval.maker_id == actor.user.pk
    waiting = state == approvals.State.REQUESTED
    return render(request, "core/approvals_detail.html", {
        "title": _("Request %(code)s") % {"code": approval.uid}, "approval": approval,
        "kind": approvals.kind_of(approval), "description": approvals.describe(approval),
        "state": approvals.State(state), "can_decide": waiting and not own,
        "can_cancel": own and state in (approvals.State.REQUESTED, approvals.State.APPROVED),
        "can_execute": own and state == approvals.State.APPROVED,
        "approve_form": approve_form or ApproveForm(), "reject_form": reject_form or RejectForm(),
        "breadcrumbs": _crumbs(approval.uid),
    }, status=status)


@never_cache
@requires("approval.decide")
def approval_detail(request, uid: str):
    return _detail(request, approvals.approval_get(actor=request.actor, uid=uid))


def _decide(request, uid: str, form_class, decide, done: str, form_name: str):
    """Approve or reject: the same form handling, the service and the message differ."""
    approval = approvals.approval_get(actor=request.actor, uid=uid)
    form = form_class(request.POST)
    if run_form(request, form, lambda d: decide(actor=request.actor, approval=approval, note=d["note"]),
                success=done):
        return redirect("approvals:detail", uid=approval.uid)
    return _detail(request, approval, **{form_name: form}, status=422)


@never_cache
@require_POST
@requires("approval.decide")
def approval_approve(request, uid: str):
    return _decide(request, uid, ApproveForm, approvals.approval_approve,
                   _("Approved. The requester can now use it, once."), "approve_form")


@never_cache
@require_POST
@requires("approval.decide")
def approval_reject(request, uid: str):
    return _decide(request, uid, RejectForm, approvals.approval_reject,
                   _("Rejected; the requester is shown the reason."), "reject_form")


@never_cache
@require_POST
@requires("approval.decide")
def approval_cancel(request, uid: str):
    approval = approvals.approval_get(actor=request.actor, uid=uid)
    try:
        approvals.approval_cancel(actor=request.actor, approval=approval)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The request is cancelled."))
    return redirect("approvals:detail", uid=approval.uid)


@never_cache
@require_POST
@requires("approval.decide")
def approval_execute(request, uid: str):
    approval = approvals.approval_get(actor=request.actor, uid=uid)
    try:
        result = approvals.approval_execute(actor=request.actor, approval=approval)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("approvals:detail", uid=approval.uid)
    if result is not None:
        return result
    messages.success(request, _("Done."))
    return redirect("approvals:detail", uid=approval.uid)
