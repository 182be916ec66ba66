"""Back-office screens for membership transfers: the inbox, a new request, and one transfer's page."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from gonghui.core import audit
from gonghui.core.forms import DateInput, StyledForm, apply_validation_error
from gonghui.core.listing import Column, ListPage
from gonghui.core.models import Outcome
from gonghui.core.views import requires
from gonghui.core.widgets import OrgPickerField
from gonghui.orgs.selectors import org_get

from . import selectors, services, transfers
from .models import MembershipStatus

TABS = (("incoming", gettext_lazy("Incoming")), ("outgoing", gettext_lazy("Outgoing")),
        ("closed", gettext_lazy("Closed")))
AWAITING = {"origin": gettext_lazy("Origin union to release"), "destination": gettext_lazy("Destination to accept")}


class OriginTransferForm(StyledForm):
    to_code = OrgPickerField(label=gettext_lazy("Destination union"), levels=services.MEMBER_UNIT_LEVELS,
                             active_only=True, anywhere=True,
                             help_text=gettext_lazy("Type part of the name or code of the union the member moves "
                                                    "to; it may be in another county."))
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)


class DestinationTransferForm(StyledForm):
    union = OrgPickerField(label=gettext_lazy("Receiving union"), levels=services.MEMBER_UNIT_LEVELS,
                           active_only=True)
    id_number = forms.CharField(label=gettext_lazy("The person's full ID number"), max_length=30,
                                widget=forms.TextInput(attrs={"autocomplete": "off"}))
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)

    def __init__(self, *args, unions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].choices = [(u.code, f"{u.name}（{u.code}）") for u in unions]


class AcceptForm(StyledForm):
    on = forms.DateField(label=gettext_lazy("Joins on"), widget=DateInput())


class RefuseForm(StyledForm):
    reason = forms.CharField(label=gettext_lazy("Reason for refusal"), max_length=200)


def _crumbs(*items):
    return [{"label": _("Transfers"), "url": reverse("members:transfers")}, *({"label": i} for i in items)]


def _require_write(request):
    if not request.actor.can("member.write"):
        audit.record(actor=request.actor, action="access.denied", object_type="url", object_id=request.path[:64],
                     outcome=Outcome.DENIED, details={"perm": "member.write"})
        raise PermissionDenied("member.write")


def _columns(actor) -> list[Column]:
    def origin(t):
        return t.from_union.name if transfers.origin_visible(actor, t) else _("(told once it releases)")

    def name(t):
        return t.person.name if transfers.person_visible(actor, t) else _("(told once it releases)")

    return [
        Column(_("Transfer"), lambda t: t.code, sort="code", url=lambda t: reverse("members:transfer", args=[t.code])),
        Column(_("Full name"), name),
        Column(_("From"), origin),
        Column(_("To"), lambda t: t.to_union.name),
        Column(_("Requested by"), lambda t: t.get_requested_via_display()),
        Column(_("Requested on"), lambda t: timezone.localtime(t.requested_at).date(), sort="requested_at"),
        Column(_("Status"), lambda t: t.get_status_display(), sort="status"),
        Column(_("Waiting for"), lambda t: AWAITING.get(transfers.awaiting(t), "")),
    ]


@never_cache
@requires("member.view")
def transfer_inbox(request):
    actor = request.actor
    tab = request.GET.get("tab", "incoming")
    if tab not in dict(TABS):
        tab = "incoming"
    qs = transfers.transfer_inbox(actor=actor, box=tab)
    page = ListPage(request, qs, _columns(actor), default_sort="-requested_at")
    actions = []
    if actor.can("member.write"):
        actions.append({"label": _("Request a transfer in"), "url": reverse("members:transfer_new")})
    tabs = [{"key": k, "label": label, "active": k == tab, "url": f"?tab={k}"} for k, label in TABS]
    return page.response("members/transfers.html", {"title": _("Transfers"), "tabs": tabs, "tab": tab,
                                                    "page_actions": actions})



@never_cache
@requires("member.write")
def transfer_new(request):
    """With ``?person=<uid>``: send one of my members elsewhere. Without: ask for a person by ID number."""
    actor = request.actor
    if uid := request.GET.get("person"):
        person = selectors.person_get(actor=actor, uid=uid)
        m = (selectors.membership_scope(actor=actor).select_related("union")
             .filter(person=person, status=MembershipStatus.ACTIVE).first())
        if m is None:
            raise Http404
        form = OriginTransferForm(request.POST or None, actor=actor)
        if request.method == "POST" and form.is_valid():
            try:
                t = transfers.transfer_request_by_origin(actor=actor, membership=m, **form.cleaned_data)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Transfer %(code)s sent to %(union)s; it waits for their acceptance.") % {
                    "code": t.code, "union": t.to_union.name})
                return redirect("members:transfer", code=t.code)
        return render(request, "members/transfer_new.html", {
            "title": _("Transfer %(name)s out of %(union)s") % {"name": person.name, "union": m.union.name},
            "form": form, "person": person, "membership": m, "mode": "origin",
            "cancel_url": reverse("members:detail", args=[person.uid]), "breadcrumbs": _crumbs(_("New transfer"))})

    initial = {"union": actor.org.code} if actor.org and actor.org.level in services.MEMBER_UNIT_LEVELS else {}
    form = DestinationTransferForm(request.POST or None, actor=actor, initial=initial)
    if request.method == "POST" and form.is_valid():
        union = org_get(actor=actor, code=form.cleaned_data["union"])
        try:
            t = transfers.transfer_request_by_destination(actor=actor, to_union=union,
                                                          id_number=form.cleaned_data["id_number"],
                                                          note=form.cleaned_data["note"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            if t is None:
                form.add_error("id_number", _("No active member has this number. If the person is not a member "
                                              "anywhere, add them as a new member."))
            else:
                messages.success(request, _("An active member was found; transfer %(code)s is requested and waits "
                                            "for the origin union to release it.") % {"code": t.code})
                return redirect("members:transfer", code=t.code)
    q = (request.GET.get("q") or "").strip()
    # By name only: an ID number typed here would end up in the URL.
    found = []
    if q:
        found = list(selectors.membership_scope(actor=actor).select_related("person", "union")
                     .filter(status=MembershipStatus.ACTIVE, person__name__icontains=q).order_by("person__name")[:20])
    return render(request, "members/transfer_new.html", {
        "title": _("New transfer"), "form": form, "mode": "destination", "q": q, "found": found,
        "cancel_url": reverse("members:transfers"), "breadcrumbs": _crumbs(_("New transfer"))})


@never_cache
@requires("member.view")
def transfer_detail(request, code: str):
    actor = request.actor
    t = transfers.transfer_get(actor=actor, code=code)
    accept_form, refuse_form = AcceptForm(initial={"on": timezone.localdate()}), RefuseForm()
    if request.method == "POST":
        _require_write(request)
        action = request.POST.get("action", "")
        posted = {"accept": AcceptForm(request.POST), "refuse": RefuseForm(request.POST)}
        try:
            if _step(request, t, action, posted["accept"], posted["refuse"]):
                return redirect("members:transfer", code=t.code)
        except ValidationError as exc:
            if action in posted and hasattr(exc, "error_dict"):
                apply_validation_error(posted[action], exc)
            else:
                for message in exc.messages:
                    messages.error(request, message)
            t = transfers.transfer_get(actor=actor, code=code)
        if action == "accept":
            accept_form = posted["accept"]
        elif action == "refuse":
            refuse_form = posted["refuse"]
    view = transfers.transfer_view(actor=actor, t=t)
    return render(request, "members/transfer_detail.html", {
        "title": _("Transfer %(code)s") % {"code": t.code}, "t": view,
        "awaiting_label": AWAITING.get(view["awaiting"], ""), "accept_form": accept_form,
        "refuse_form": refuse_form, "breadcrumbs": _crumbs(t.code)})


def _step(request, t, action: str, accept_form: AcceptForm, refuse_form: RefuseForm) -> bool:
    """Take one step on the transfer; False when a form is invalid (its errors are shown)."""
    actor = request.actor
    if action == "release":
        transfers.transfer_release(actor=actor, transfer=t)
        messages.success(request, _("Released; the destination union can now accept."))
    elif action == "accept":
        if not accept_form.is_valid():
            return False
        transfers.transfer_accept(actor=actor, transfer=t, on=accept_form.cleaned_data["on"])
        messages.success(request, _("Accepted: %(name)s is now a member of %(union)s.") % {
            "name": t.person.name, "union": t.to_union.name})
    elif action == "refuse":
        if not refuse_form.is_valid():
            return False
        transfers.transfer_refuse(actor=actor, transfer=t, reason=refuse_form.cleaned_data["reason"])
        messages.success(request, _("Refused."))
    elif action == "cancel":
        transfers.transfer_cancel(actor=actor, transfer=t)
        messages.success(request, _("The request is withdrawn."))
    else:
        raise ValidationError(_("Unknown action."))
    return True


urlpatterns = [
    path("members/transfers/", transfer_inbox, name="transfers"),
    path("members/transfers/new/", transfer_new, name="transfer_new"),
    path("members/transfers/<str:code>/", transfer_detail, name="transfer"),
]
