"""The inspection pages: rounds (list, new/edit, a round's page with its units and items and the form to issue a
工作提示 or 督导反馈单), the items addressed to the actor's area with their colors, an item's page with the answer."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gonghui.core.forms import apply_validation_error
from gonghui.core.listing import Column, ListPage
from gonghui.core.views import requires

from . import inspections, selectors_visits
from .forms_visits import AnswerForm, ItemFilterForm, ItemForm, RoundForm, VisitFilterForm
from .models import InspectionRound, ItemState
from .visits import team_candidates


def crumbs(*items):
    return [{"label": _("Inspections"), "url": reverse("oversight:inspections")}, *({"label": i} for i in items)]


def _name(user) -> str:
    return (user.display_name or user.get_username()) if user else ""


@never_cache
@requires("oversight.view")
def round_list(request):
    actor = request.actor
    form = VisitFilterForm(request.GET or None)
    filters = dict(form.cleaned_data) if form.is_bound and form.is_valid() else {}
    del form.fields["q"]
    qs = selectors_visits.with_round_counts(selectors_visits.round_list(actor=actor, filters=filters))

    def url(r):
        return reverse("oversight:inspection_detail", args=[r.pk])

    columns = [Column(_("Round"), lambda r: r.title, url=url), Column(_("Inspecting unit"), lambda r: r.org.name),
               Column(_("From"), lambda r: r.started_on), Column(_("To"), lambda r: r.ended_on),
               Column(_("Team leader"), lambda r: _name(r.leader)),
               Column(_("Units inspected"), lambda r: r.n_units),
               Column(_("Work prompts"), lambda r: r.n_prompts),
               Column(_("Feedback forms"), lambda r: r.n_feedback)]
    page = ListPage(request, qs, columns, filter_form=form, export_name="inspections",
                    object_type="oversight.inspection", export_title=_("Inspection rounds"))
    page.queryset = qs
    actions = [{"label": _("Open a round"), "url": reverse("oversight:inspection_new")},
               {"label": _("Inspection items"), "url": reverse("oversight:inspection_items")}] \
        if actor.can("oversight.write") else [{"label": _("Inspection items"),
                                               "url": reverse("oversight:inspection_items")}]
    return page.response("core/list.html", {"title": _("Inspections: %(org)s") % {"org": actor.org.name},
                                            "page_actions": actions})


def _round_form_page(request, form, rnd=None, status=200):
    title = _("Edit the round") if rnd else _("Open a round")
    return render(request, "oversight/inspection_form.html", {
        "title": title, "form": form, "rnd": rnd, "breadcrumbs": crumbs(rnd.title if rnd else title)}, status=status)


def _round_save(request, form, rnd=None):
    d = form.cleaned_data
    args = {k: d[k] for k in ("title", "started_on", "ended_on", "leader", "team", "units", "methods")}
    if rnd is None:
        return inspections.round_create(request.actor, **args)
    return inspections.round_update(request.actor, round=rnd, **args)


@never_cache
@requires("oversight.write")
def round_new(request):
    actor = request.actor
    users = team_candidates(actor=actor)
    if request.method != "POST":
        return _round_form_page(request, RoundForm(users=users, initial={"leader": actor.user.pk}))
    form = RoundForm(request.POST, users=users)
    if form.is_valid():
        try:
            rnd = _round_save(request, form)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Round opened."))
            return redirect("oversight:inspection_detail", pk=rnd.pk)
    return _round_form_page(request, form, status=422)


@never_cache
@requires("oversight.write")
def round_edit(request, pk: int):
    actor = request.actor
    rnd = selectors_visits.round_get(actor=actor, pk=pk)
    users = team_candidates(actor=actor, org=rnd.org)
    if request.method != "POST":
        form = RoundForm(users=users, initial={
            "title": rnd.title, "started_on": rnd.started_on, "ended_on": rnd.ended_on, "leader": rnd.leader_id,
            "team": list(rnd.team.values_list("pk", flat=True)), "methods": rnd.methods,
            "units": "\n".join(rnd.units.order_by("path").values_list("code", flat=True))})
        return _round_form_page(request, form, rnd)
    form = RoundForm(request.POST, users=users)
    if form.is_valid():
        try:
            _round_save(request, form, rnd)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Round saved."))
            return redirect("oversight:inspection_detail", pk=pk)
    return _round_form_page(request, form, rnd, status=422)


def _round_page(request, rnd: InspectionRound, *, form=None, status=200):
    actor = request.actor
    units = list(rnd.units.order_by("path"))
    can_write = actor.can("oversight.write")
    if can_write and form is None:
        form = ItemForm(units=units, initial={"due_on": timezone.localdate()})
    today = timezone.localdate()
    items = [(i, inspections.item_color(i, today)) for i in rnd.items.select_related("unit").order_by("number")]
    return render(request, "oversight/inspection.html", {
        "title": rnd.title, "rnd": rnd, "units": units, "items": items, "form": form if can_write else None,
        "leader": _name(rnd.leader), "team": [_name(u) for u in rnd.team.order_by("pk")], "can_write": can_write,
        "breadcrumbs": crumbs(rnd.title)}, status=status)


@never_cache
@requires("oversight.view")
def round_detail(request, pk: int):
    return _round_page(request, selectors_visits.round_get(actor=request.actor, pk=pk))


@require_POST
@requires("oversight.write")
def item_issue(request, pk: int):
    actor = request.actor
    rnd = selectors_visits.round_get(actor=actor, pk=pk)
    units = list(rnd.units.order_by("path"))
    form = ItemForm(request.POST, units=units)
    if form.is_valid():
        d = form.cleaned_data
        unit = next(u for u in units if u.code == d["unit"])
        try:
            item = inspections.item_issue(actor, round=rnd, kind=d["kind"], unit=unit, title=d["title"],
                                          content=d["content"], due_on=d["due_on"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("%(number)s issued.") % {"number": item.number})
            return redirect("oversight:inspection_detail", pk=pk)
    return _round_page(request, rnd, form=form, status=422)


@never_cache
@requires("oversight.view")
def item_list(request):
    actor = request.actor
    form = ItemFilterForm(request.GET or None)
    filters = dict(form.cleaned_data) if form.is_bound and form.is_valid() else {}
    qs = selectors_visits.item_list(actor=actor, filters=filters)
    today = timezone.localdate()

    def url(i):
        return reverse("oversight:inspection_item", args=[i.pk])

    colors = {"red": _("Overdue"), "yellow": _("Stalled"), "blue": _("Due soon"), "": ""}
    columns = [Column(_("Number"), lambda i: i.number, url=url), Column(_("Kind"), lambda i: i.get_kind_display()),
               Column(_("Item title"), lambda i: i.title, url=url), Column(_("Unit"), lambda i: i.unit.name),
               Column(_("Round"), lambda i: i.round.title), Column(_("Answer by"), lambda i: i.due_on),
               Column(_("State"), lambda i: i.get_state_display()),
               Column(_("Warning"), lambda i: colors[inspections.item_color(i, today)])]
    page = ListPage(request, qs, columns, filter_form=form, export_name="inspection_items",
                    object_type="oversight.inspection_item", export_title=_("Inspection items"))
    page.queryset = qs
    return page.response("core/list.html", {"title": _("Inspection items: %(org)s") % {"org": actor.org.name},
                                            "breadcrumbs": crumbs(_("Inspection items"))})


def _item_page(request, item, *, form=None, status=200):
    actor = request.actor
    can_answer = actor.can("oversight.write") and item.state == ItemState.OPEN
    if can_answer and form is None:
        form = AnswerForm()
    round_url = reverse("oversight:inspection_detail", args=[item.round_id]) \
        if actor.covers(item.round.org_path) else ""
    return render(request, "oversight/inspection_item.html", {
        "title": f"{item.number} {item.title}", "item": item, "color": inspections.item_color(item),
        "form": form if can_answer else None, "round_url": round_url, "answered_by": _name(item.answered_by),
        "breadcrumbs": crumbs(item.number)}, status=status)


@never_cache
@requires("oversight.view")
def item_detail(request, pk: int):
    return _item_page(request, selectors_visits.item_get(actor=request.actor, pk=pk))


@require_POST
@requires("oversight.write")
def item_answer(request, pk: int):
    actor = request.actor
    item = selectors_visits.item_get(actor=actor, pk=pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            inspections.item_answer(actor, item=item, answer=form.cleaned_data["answer"])
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                messages.error(request, "；".join(exc.messages))
                return redirect("oversight:inspection_item", pk=pk)
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Answer recorded."))
            return redirect("oversight:inspection_item", pk=pk)
    return _item_page(request, item, form=form, status=422)
