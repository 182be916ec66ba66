"""The hardship archive's pages: the list (filters, keyset pages, masked xlsx export), a household's page (members,
the computed category and its rule, evidence, timeline, actions), the new/edit form (works on a phone), the review
queue and review page, the annual review, the standards and thresholds page."""


from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gonghui.core import audit
from gonghui.core.forms import apply_validation_error
from gonghui.core.models import Grant, Outcome
from gonghui.core.reveal import masked, reveal
from gonghui.core.spreadsheets import export_filename, sheet_name, write_xlsx, xlsx_response
from gonghui.core.views import requires
from gonghui.orgs.models import Org

from . import archive, selectors_archive, supervision_archive
from .forms_archive import (
    AnnualReviewForm,
    CardForm,
    ExitForm,
    HouseholdFilterForm,
    HouseholdForm,
    MemberFormSet,
    ObjectionForm,
    PairingForm,
    PairVisitForm,
    ReasonForm,
    ResolveForm,
    ReviewForm,
    SettingsForm,
    StandardForm,
)
from .models import Category, Cause, HouseholdState, ObjectionState

EXPORT_MAX = 100000


def crumbs(*items):
    return [{"label": _("Hardship archive"), "url": reverse("aid:archive")}, *({"label": i} for i in items)]


def _org_in_scope(actor, code: str) -> Org:
    org = Org.objects.filter(code=code, path__startswith=actor.org.path).first()
    if org is None:
        raise ValidationError({"unit": _("Choose a unit of your area.")})
    return org


def _causes_text(h) -> str:
    labels = dict(Cause.choices)
    return "、".join(str(labels.get(c, c)) for c in h.cause_list())


# --- the list ------------------------------------------------------------------------------------------------

def _filters(request, actor) -> tuple[HouseholdFilterForm, dict]:
    form = HouseholdFilterForm(request.GET or None, actor=actor)
    filters: dict = {}
    if form.is_bound and form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v and k != "unit"}
        if form.cleaned_data.get("unit"):
            filters["unit"] = Org.objects.filter(code=form.cleaned_data["unit"],
                                                 path__startswith=actor.org.path).first()
    return form, filters


def _export(request, actor, qs, form):
    actor.require("export")
    if form.is_bound and not form.is_valid():
        messages.error(request, _("Correct the filters before exporting."))
        return redirect(reverse("aid:archive"))
    header = [_("Worker (masked)"), _("ID number (masked)"), _("Unit"), _("Category"), _("State"),
              _("Causes of hardship"), _("Filed on"), _("Annual review due"), _("Exited on")]
    rows = ([h.name_masked, masked(h, "id_number"), h.org.name, h.get_category_display(), h.get_state_display(),
             _causes_text(h), h.filed_on, h.review_due, h.exited_on]
            for h in qs[:EXPORT_MAX].iterator(chunk_size=2000))
    title = _("Hardship archive")
    content = write_xlsx([str(c) for c in header], rows, sheet=sheet_name(title))
    audit.record(actor=actor, action="export", object_type="aid.household",
                 details={"filters": {k: v for k, v in request.GET.items() if k != "export"}, "masked": True})
    return xlsx_response(content, export_filename(title, unit=actor.org))


def _list_rows(households, *, today) -> list[dict]:
    """The cells of the list's rows, ready to print: labels translated once a page (not once a cell), the review's
    color badge rendered once per color, the link built from one reversed address. The template prints plain
    values (a page of 50 rows is ~600 template nodes fewer)."""
    blue = None  # the kind's threshold: read once, and only when a row is a filed file with a review due
    categories = {k: str(v) for k, v in Category.choices}
    states = {k: str(v) for k, v in HouseholdState.choices}
    causes = {k: str(v) for k, v in Cause.choices}
    badges: dict[str, str] = {}
    head, tail = reverse("aid:household", args=[0]).rsplit("/0/", 1)  # one reverse, not one a row
    rows = []
    for h in households:
        due = h.review_due is not None and h.state == HouseholdState.FILED
        if due and blue is None:
            blue = supervision_archive.blue_within()
        color = supervision_archive.color(h, today=today, blue=blue) if due else ""
        if due and color not in badges:
            badges[color] = render_to_string("aid/_color.html", {"color": color})
        rows.append({"id": h.pk, "state": h.state, "color": color, "url": f"{head}/{h.pk}/{tail}",
                     "name": h.name_masked, "unit": h.org.name, "category": categories.get(h.category, h.category),
                     "state_label": states.get(h.state, h.state), "held": bool(h.open_objections),
                     "causes": "、".join(causes.get(c, c) for c in h.cause_list()),
                     "due": h.review_due.isoformat() if due else "", "badge": badges.get(color, "") if due else ""})
    return rows


@never_cache
@requires("aid.view")
def archive_list(request):
    actor = request.actor
    today = timezone.localdate()
    form, filters = _filters(request, actor)
    qs = selectors_archive.household_list(actor=actor, filters=filters, today=today)
    if request.GET.get("export") == "xlsx":
        return _export(request, actor, qs, form)
    rows, next_after = selectors_archive.household_page(actor=actor, filters=filters, today=today,
                                                        after=request.GET.get("after"))
    params = request.GET.copy()
    params.pop("after", None)
    base = params.urlencode()
    return render(request, "aid/archive_list.html", {
        "title": _("Hardship archive: %(org)s") % {"org": actor.org.name}, "form": form,
        "rows": _list_rows(rows, today=today),
        "next_url": f"?{base}&after={next_after}" if next_after else "",
        "first_url": f"?{base}" if request.GET.get("after") else "",
        "export_url": f"?{base}&export=xlsx" if actor.can("export") else "",
        "can_write": actor.can("aid.write"), "can_review": actor.can("aid.review"),
    })


# --- new / edit ----------------------------------------------------------------------------------------------

def _members_in(formset) -> list[archive.MemberInput]:
    return [archive.MemberInput(name=f.cleaned_data.get("name", ""),
                                relationship=f.cleaned_data.get("relationship", ""),
                                monthly_income=f.cleaned_data.get("monthly_income", ""),
                                note=f.cleaned_data.get("note", "")) for f in formset.forms if f.cleaned_data]


def _form_page(request, form, formset, household=None, status=200):
    title = _("Edit the hardship file") if household else _("New hardship file")
    return render(request, "aid/household_form.html", {
        "title": title, "form": form, "formset": formset, "household": household,
        "breadcrumbs": crumbs(title)}, status=status)


@never_cache
@requires("aid.write")
def household_new(request):
    actor = request.actor
    initial = {"unit": actor.org.code} if actor.org.level not in ("city", "province", "national") else {}
    form = HouseholdForm(request.POST or None, actor=actor, initial=initial)
    formset = MemberFormSet(request.POST or None, prefix="m")
    if request.method == "POST":
        if form.is_valid() and formset.is_valid():
            d = form.cleaned_data
            try:
                org = _org_in_scope(actor, d["unit"])
                household = archive.household_create(
                    actor=actor, org=org, name=d["name"], id_number=d["id_number"],
                    worker_income=d["worker_income"], causes=d["causes"], cause_note=d["cause_note"],
                    illness_cost=d["illness_cost"], disability_cost=d["disability_cost"],
                    schooling_cost=d["schooling_cost"], accident_loss=d["accident_loss"],
                    compensation=d["compensation"], members=_members_in(formset))
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Draft saved. Attach the evidence, then apply."))
                return redirect("aid:household", pk=household.pk)
        return _form_page(request, form, formset, status=422)
    return _form_page(request, form, formset)


@never_cache
@requires("aid.write")
def household_edit(request, pk: int):
    actor = request.actor
    household = selectors_archive.household_get(actor=actor, pk=pk)
    if household.state not in archive.EDITABLE:
        messages.error(request, _("Only a draft or a returned file can be changed."))
        return redirect("aid:household", pk=pk)
    members = list(household.members.all())
    worker = next((m for m in members if m.relationship == "self"), None)
    initial = {"worker_income": worker.monthly_income if worker else "", "causes": household.cause_list(),
               "cause_note": household.cause_note, "illness_cost": household.illness_cost,
               "disability_cost": household.disability_cost, "schooling_cost": household.schooling_cost,
               "accident_loss": household.accident_loss, "compensation": household.compensation}
    others = [{"name": m.name, "relationship": m.relationship, "monthly_income": m.monthly_income, "note": m.note}
              for m in members if m.relationship != "self"]
    form = HouseholdForm(request.POST or None, actor=actor, editing=True, initial=initial)
    formset = MemberFormSet(request.POST or None, prefix="m", initial=others)
    if request.method == "POST":
        if form.is_valid() and formset.is_valid():
            d = form.cleaned_data
            try:
                archive.household_update(
                    actor=actor, household=household, worker_income=d["worker_income"], causes=d["causes"],
                    cause_note=d["cause_note"], illness_cost=d["illness_cost"],
                    disability_cost=d["disability_cost"], schooling_cost=d["schooling_cost"],
                    accident_loss=d["accident_loss"], compensation=d["compensation"], members=_members_in(formset))
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("The file was saved."))
                return redirect("aid:household", pk=pk)
        return _form_page(request, form, formset, household, status=422)
    return _form_page(request, form, formset, household)


# --- the household page --------------------------------------------------------------------------------------

def _cadres(actor):
    User = get_user_model()
    ids = Grant.objects.filter(org__path__startswith=actor.org.path).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("username")[:300])


def _page(request, household, *, status=200, **forms):
    actor = request.actor
    today = timezone.localdate()
    a = archive.assess_household(household, year=household.standard_year or today.year)
    settings = archive.settings_for(household.org)
    can_write = actor.can("aid.write")
    may_review = actor.can("aid.review") and actor.org.path != household.org_path
    pairing = household.pairings.filter(ended_on__isnull=True).select_related("cadre").first()
    ctx = {
        "title": _("Hardship file: %(name)s") % {"name": household.name_masked},
        "h": household, "a": a, "settings": settings, "today": today,
        "id_masked": masked(household, "id_number"), "causes": _causes_text(household),
        "members": list(household.members.all()),
        "color": supervision_archive.color(household, today=today),
        "events": list(household.events.select_related("by").order_by("at", "pk")),
        "objections": list(household.objections.all()),
        "reviews": list(household.reviews.all()), "cards": list(household.cards.all()),
        "pairing": pairing, "visits": list(pairing.visits.all()[:50]) if pairing else [],
        "can_write": can_write, "may_review": may_review, "can_reveal": actor.can("personal.reveal"),
        "editable": can_write and household.state in archive.EDITABLE,
        "evidence": archive.evidence_count(household),
        "breadcrumbs": crumbs(household.name_masked),
    }
    if can_write and household.state == HouseholdState.NOTICE:
        ctx["objection_form"] = forms.get("objection_form") or ObjectionForm()
    if may_review and household.state == HouseholdState.NOTICE:
        ctx["resolve_form"] = forms.get("resolve_form") or ResolveForm()
    if can_write and household.state == HouseholdState.FILED:
        ctx["exit_form"] = forms.get("exit_form") or ExitForm(initial={"on": today})
        ctx["pairing_form"] = forms.get("pairing_form") or PairingForm(cadres=_cadres(actor),
                                                                       initial={"started_on": today})
        if pairing:
            ctx["visit_form"] = forms.get("visit_form") or PairVisitForm(initial={"visited_on": today})
        if household.category == "deep" and not any(c.state == "valid" for c in ctx["cards"]):
            ctx["card_form"] = forms.get("card_form") or CardForm(initial={"issued_on": today})
        ctx["withdraw_form"] = forms.get("withdraw_form") or ReasonForm()
    return render(request, "aid/household.html", ctx, status=status)


@never_cache
@requires("aid.view")
def household_detail(request, pk: int):
    household = selectors_archive.household_get(actor=request.actor, pk=pk)
    return _page(request, household)


@require_POST
@requires("aid.view")
def household_reveal(request, pk: int):
    actor = request.actor
    household = selectors_archive.household_get(actor=actor, pk=pk)
    reason = (request.POST.get("reason") or "").strip()
    if len(reason) < 2:
        audit.record(actor=actor, action="personal.reveal", object_type="aid.household", object_id=household.pk,
                     scope_path=household.org_path, outcome=Outcome.DENIED, details={"why": "no reason"})
        return HttpResponse(format_html('<span class="text-danger">{}</span>', _("Say why you need to see it.")),
                            status=422)
    kw = {"actor": actor, "reason": reason, "object_type": "aid.household", "object_id": str(household.pk),
          "scope_path": household.org_path}
    name = reveal(obj=household, field_name="name", **kw)
    number = reveal(obj=household, field_name="id_number", **kw)
    html = render_to_string("aid/_household_revealed.html", {
        "h": household, "name": name, "number": number, "members": list(household.members.all()),
        "a": archive.assess_household(household, year=household.standard_year or timezone.localdate().year)},
        request=request)
    response = HttpResponse(html)
    response["Cache-Control"] = "no-store"
    return response


def _act(request, household, fn, ok: str, form_key: str = "", form=None):
    """Run a service from a POST on the household page; a refusal shows the page again with the message."""
    try:
        fn()
    except ValidationError as exc:
        if form is not None and form_key:
            apply_validation_error(form, exc)
            return _page(request, household, status=422, **{form_key: form})
        messages.error(request, " ".join(exc.messages))
        return redirect("aid:household", pk=household.pk)
    messages.success(request, ok)
    return redirect("aid:household", pk=household.pk)


@require_POST
@requires("aid.write")
def household_apply(request, pk: int):
    actor = request.actor
    household = selectors_archive.household_get(actor=actor, pk=pk)
    return _act(request, household, lambda: archive.household_apply(actor=actor, household=household),
                _("Applied: the file goes to review."))


@never_cache
@requires("aid.review")
def household_review(request, pk: int):
    actor = request.actor
    household = selectors_archive.household_get(actor=actor, pk=pk)
    if actor.org.path == household.org_path:
        raise PermissionDenied("aid.review")
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data["decision"]
        try:
            archive.household_review(actor=actor, household=household, approve=d == "approve",
                                     reject=d == "reject", reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Review recorded."))
            return redirect("aid:household", pk=pk)
    a = archive.assess_household(household)
    return render(request, "aid/household_review.html", {
        "title": _("Review: %(name)s") % {"name": household.name_masked}, "h": household, "a": a,
        "settings": archive.settings_for(household.org), "form": form, "causes": _causes_text(household),
        "evidence": archive.evidence_count(household), "members": len(household.members.all()),
        "breadcrumbs": crumbs(household.name_masked, _("Review"))},
        status=422 if request.method == "POST" else 200)


@require_POST
@requires("aid.write")
def objection_new(request, pk: int):
    actor = request.actor
    household = selectors_archive.household_get(actor=actor, pk=pk)
    form = ObjectionForm(request.POST)
    if not form.is_valid():
        return _page(request, household, status=422, objection_form=form)
    return _act(request, household, lambda: archive.objection_lodge(
        actor=actor, household=household, text=form.cleaned_data["text"], contact=form.cleaned_data["contact"]),
        _("Objection recorded: the file is held until it is resolved."), "objection_form", form)


@require_POST
@requires("aid.review")
def objection_resolve(request, pk: int):
    actor = request.actor
    objection = selectors_archive.objection_get(actor=actor, pk=pk)
    household = objection.household
    form = ResolveForm(request.POST)
    if not form.is_valid() or objection.state != ObjectionState.OPEN:
        return _page(request, household, status=422, resolve_form=form)
    return _act(request, household, lambda: archive.objection_resolve(
        actor=actor, objection=objection, upheld=form.cleaned_data["upheld"],
        resolution=form.cleaned_data["resolution"]), _("Objection resolved."), "resolve_form", form)


@never_cache
@requires("aid.write")
def household_annual(request, pk: int):
    actor = request.actor
    household = selectors_archive.household_get(actor=actor, pk=pk)
    members = list(household.members.all())
    initial = {"illness_cost": household.illness_cost, "disability_cost": household.disability_cost,
               "schooling_cost": household.schooling_cost}
    form = AnnualReviewForm(request.POST or None, members=members, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            archive.household_annual_review(actor=actor, household=household, incomes=form.incomes(),
                                            illness_cost=d["illness_cost"], disability_cost=d["disability_cost"],
                                            schooling_cost=d["schooling_cost"], note=d["note"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Annual review recorded."))
            return redirect("aid:household", pk=pk)
    return render(request, "aid/household_annual.html", {
        "title": _("Annual review: %(name)s") % {"name": household.name_masked}, "h": household, "form": form,
        "breadcrumbs": crumbs(household.name_masked, _("Annual review"))},
        status=422 if request.method == "POST" else 200)


@require_POST
@requires("aid.write")
def household_exit(request, pk: int):
    actor = request.actor
    household = selectors_archive.household_get(actor=actor, pk=pk)
    form = ExitForm(request.POST)
    if not form.is_valid():
        return _page(request, household, status=422, exit_form=form)
    return _act(request, household, lambda: archive.household_exit(
        actor=actor, household=household, reason=form.cleaned_data["reason"], on=form.cleaned_data["on"]),
        _("The household exited the archive."), "exit_form", form)


@require_POST
@requires("aid.write")
def pairing_new(request, pk: int):
    actor = request.actor
    household = selectors_archive.household_get(actor=actor, pk=pk)
    cadres = _cadres(actor)
    form = PairingForm(request.POST, cadres=cadres)
    if not form.is_valid():
        return _page(request, household, status=422, pairing_form=form)
    cadre = next((u for u in cadres if str(u.pk) == form.cleaned_data["cadre"]), None)
    return _act(request, household, lambda: archive.pairing_create(
        actor=actor, household=household, cadre=cadre, started_on=form.cleaned_data["started_on"]),
        _("一帮一 pair made."), "pairing_form", form)


@require_POST
@requires("aid.write")
def pair_visit_new(request, pk: int):
    actor = request.actor
    pairing = selectors_archive.pairing_get(actor=actor, pk=pk)
    household = pairing.household
    form = PairVisitForm(request.POST)
    if not form.is_valid():
        return _page(request, household, status=422, visit_form=form)
    d = form.cleaned_data
    return _act(request, household, lambda: archive.pair_visit_add(
        actor=actor, pairing=pairing, visited_on=d["visited_on"], cash=d["cash"], goods=d["goods"], note=d["note"]),
        _("Visit logged."), "visit_form", form)


@require_POST
@requires("aid.write")
def card_issue(request, pk: int):
    actor = request.actor
    household = selectors_archive.household_get(actor=actor, pk=pk)
    form = CardForm(request.POST)
    if not form.is_valid():
        return _page(request, household, status=422, card_form=form)
    return _act(request, household, lambda: archive.card_issue(
        actor=actor, household=household, number=form.cleaned_data["number"],
        issued_on=form.cleaned_data["issued_on"]), _("优待证 issued."), "card_form", form)


@require_POST
@requires("aid.write")
def card_withdraw(request, pk: int):
    actor = request.actor
    card = selectors_archive.card_get(actor=actor, pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _page(request, card.household, status=422, withdraw_form=form)
    return _act(request, card.household, lambda: archive.card_withdraw(
        actor=actor, card=card, reason=form.cleaned_data["reason"]), _("优待证 withdrawn."), "withdraw_form", form)


# --- the review queue and the standards ----------------------------------------------------------------------

@never_cache
@requires("aid.review")
def review_queue(request):
    applied, held, notices = selectors_archive.review_queue(actor=request.actor)
    return render(request, "aid/review_queue.html", {
        "title": _("Hardship files to review"), "applied": applied, "held": held, "notices": notices,
        "breadcrumbs": crumbs(_("Review"))})


@never_cache
@requires("aid.view")
def standards_page(request):
    actor = request.actor
    can = actor.can("aid.settings")
    today = timezone.localdate()
    current = archive.ArchiveSettings.objects.filter(org=actor.org).first() or archive.settings_for(actor.org)
    form = StandardForm(actor=actor, initial={"year": today.year})
    sform = SettingsForm(initial={"deep_ratio": current.deep_ratio, "relative_ratio": current.relative_ratio,
                                  "notice_days": current.notice_days})
    status = 200
    if request.method == "POST":
        if not can:
            raise PermissionDenied("aid.settings")
        if request.POST.get("what") == "settings":
            sform = SettingsForm(request.POST)
            if sform.is_valid():
                try:
                    archive.settings_update(actor=actor, **sform.cleaned_data)
                except ValidationError as exc:
                    apply_validation_error(sform, exc)
                else:
                    messages.success(request, _("Thresholds saved."))
                    return redirect("aid:standards")
        else:
            form = StandardForm(request.POST, actor=actor)
            if form.is_valid():
                d = form.cleaned_data
                try:
                    org = _org_in_scope(actor, d["unit"]) if d["unit"] else None
                    archive.standard_set(actor=actor, year=d["year"], monthly=d["monthly"], org=org,
                                         region_code=d["region_code"])
                except ValidationError as exc:
                    apply_validation_error(form, exc)
                else:
                    messages.success(request, _("低保 standard saved."))
                    return redirect("aid:standards")
        status = 422
    return render(request, "aid/standards.html", {
        "title": _("低保 standards and thresholds"), "rows": selectors_archive.standards(actor=actor),
        "form": form, "sform": sform, "can": can, "current": current,
        "breadcrumbs": crumbs(_("低保 standards"))}, status=status)


