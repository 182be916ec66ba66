"""Back-office screens for member service cards: the list with the batch-issue form, and one card's page."""

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
from gonghui.core.figures import Period
from gonghui.core.forms import StyledForm, apply_validation_error
from gonghui.core.identity import mask
from gonghui.core.listing import Column, ListPage
from gonghui.core.models import Outcome
from gonghui.core.views import requires
from gonghui.core.widgets import OrgPickerField
from gonghui.orgs.selectors import org_get

from . import cards
from . import figures as member_figures
from .models import CardStatus, MembershipStatus


class CardFilterForm(StyledForm):
    q = forms.CharField(label=gettext_lazy("Card number or name"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False,
                               choices=[("", gettext_lazy("All")), *CardStatus.choices])
    union = OrgPickerField(label=gettext_lazy("Union"), required=False)


class IssueForm(StyledForm):
    union = OrgPickerField(label=gettext_lazy("Union"), active_only=True,
                           help_text=gettext_lazy("Cards go to every active member of this union and the unions "
                                                  "under it who holds no card in use."))


class LostForm(StyledForm):
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)


def _crumbs(*items):
    return [{"label": _("Service cards"), "url": reverse("members:cards")}, *({"label": i} for i in items)]


def _require_write(request):
    if not request.actor.can("member.write"):
        audit.record(actor=request.actor, action="access.denied", object_type="url", object_id=request.path[:64],
                     outcome=Outcome.DENIED, details={"perm": "member.write"})
        raise PermissionDenied("member.write")


def _union(actor, code: str):
    try:
        return org_get(actor=actor, code=(code or "").strip().upper())
    except Http404:
        return None


COLUMNS = [
    Column(gettext_lazy("Card number"), lambda c: c.number, sort="number",
           url=lambda c: reverse("members:card", args=[c.number])),
    Column(gettext_lazy("Name"), lambda c: c.membership.person.name),
    Column(gettext_lazy("Union"), lambda c: c.membership.union.name, sort="org_path"),
    Column(gettext_lazy("Status"), lambda c: c.get_status_display(), sort="status"),
    Column(gettext_lazy("Issued on"), lambda c: c.issued_on, sort="issued_on"),
    Column(gettext_lazy("Activated on"), lambda c: c.activated_on, sort="activated_on"),
    Column(gettext_lazy("Activated via"), lambda c: c.get_activated_via_display()),
]


@never_cache
@requires("member.view")
def card_list(request):
    actor = request.actor
    issue_form = IssueForm(initial={"union": actor.org.code}, actor=actor)
    if request.method == "POST":
        _require_write(request)
        issue_form = IssueForm(request.POST, actor=actor)
        if issue_form.is_valid():
            union = _union(actor, issue_form.cleaned_data["union"])
            if union is None:
                issue_form.add_error("union", _("No union with this code in your area."))
            else:
                try:
                    batch = cards.cards_issue(actor=actor, union=union)
                except ValidationError as exc:
                    apply_validation_error(issue_form, exc)
                else:
                    messages.success(request, _("%(n)s cards issued for %(union)s.") % {"n": batch.count,
                                                                                      "union": union.name})
                    return redirect(reverse("members:cards") + f"?union={union.code}")
    form = CardFilterForm(request.GET or None, actor=actor)
    filters = dict(form.cleaned_data) if form.is_valid() else {}
    if code := filters.pop("union", ""):
        filters["under"] = org_get(actor=actor, code=code)  # the picker checked it is in scope
    qs = cards.card_list(actor=actor, filters=filters)
    org = filters.get("under") or actor.org
    today = timezone.localdate()
    now = Period(today, today, today.isoformat())
    summary = {"org": org, "issued": member_figures.cards_issued(org, now),
               "active": member_figures.cards_active(org, now), "rate": member_figures.card_activation_rate(org, now)}
    page = ListPage(request, qs, COLUMNS, filter_form=form, default_sort="-issued_on", export_name="service_cards",
                    export_unit=org, object_type="card")
    return page.response("members/cards.html", {"title": _("Service cards"), "issue_form": issue_form,
                                                "can_write": actor.can("member.write"), "summary": summary})


@never_cache
@requires("member.view")
def card_detail(request, number: str):
    actor = request.actor
    card = cards.card_get(actor=actor, number=number)
    lost_form = LostForm()
    if request.method == "POST":
        _require_write(request)
        action = request.POST.get("action", "")
        try:
            if action == "activate":
                cards.card_activate_by_officer(actor=actor, card=card)
                messages.success(request, _("The card is activated."))
            elif action == "lost":
                lost_form = LostForm(request.POST)
                note = lost_form.cleaned_data["note"] if lost_form.is_valid() else ""
                cards.card_report_lost(actor=actor, card=card, note=note)
                messages.success(request, _("The card is reported lost."))
            elif action == "reissue":
                new = cards.card_reissue(actor=actor, card=card)
                messages.success(request, _("New card %(number)s issued.") % {"number": new.number})
                return redirect("members:card", number=new.number)
            else:
                raise ValidationError(_("Unknown action."))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            return redirect("members:card", number=card.number)
        card = cards.card_get(actor=actor, number=number)
    m = card.membership
    replaced_by = getattr(card, "replaced_by", None) if card.status == CardStatus.REPLACED else None
    can_write = actor.can("member.write")
    live = card.status in cards.LIVE
    return render(request, "members/card_detail.html", {
        "title": _("Service card %(number)s") % {"number": card.number}, "card": card, "membership": m,
        "person": m.person, "id_masked": mask(m.person.id_number, kind="id_number"),
        "replaced_by": replaced_by, "lost_form": lost_form,
        "can_activate": can_write and card.status == CardStatus.ISSUED and m.status == MembershipStatus.ACTIVE,
        "can_report_lost": can_write and live,
        "can_reissue": can_write and m.status == MembershipStatus.ACTIVE and (live or card.status == CardStatus.LOST),
        "breadcrumbs": _crumbs(card.number)})


urlpatterns = [
    path("members/cards/", card_list, name="cards"),
    path("members/cards/<str:number>/", card_detail, name="card"),
]
