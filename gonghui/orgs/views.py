import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from gonghui.core import figures as figure_registry
from gonghui.core.forms import apply_validation_error
from gonghui.core.listing import Column, ListPage
from gonghui.core.profile import org_sections
from gonghui.core.reveal import masked, reveal
from gonghui.core.views import requires

from . import selectors, services
from .forms import DissolveForm, MoveForm, OrgFilterForm, OrgForm, RevealForm
from .models import ALLOWED_PARENTS, Level, Org


def _crumbs(actor, org: Org, *extra) -> list[dict]:
    trail = [{"label": o.name, "url": reverse("orgs:detail", args=[o.code])}
             for o in selectors.org_ancestors(actor=actor, org=org)]
    return trail + [{"label": label, "url": ""} for label in extra]


def _period(request):
    try:
        return figure_registry.Period.parse(request.GET.get("period"))
    except ValueError:
        messages.error(request, _("The period is not understood; showing this year."))
        return figure_registry.Period.parse(None)


def _periods(today: datetime.date) -> list[tuple[str, str]]:
    keys = [str(today.year), f"{today.year}H1", f"{today.year}H2", str(today.year - 1), f"{today.year - 1}H1",
            f"{today.year - 1}H2", str(today.year - 2)]
    return [(k, figure_registry.Period.parse(k).label) for k in keys]


@requires("dashboard.view")
def dashboard_home(request):
    return _dashboard(request, request.actor.org)


@requires("dashboard.view")
def dashboard(request, code: str):
    return _dashboard(request, selectors.org_get(actor=request.actor, code=code))


def _dashboard(request, org: Org):
    period = _period(request)
    values = figure_registry.compute(org, period, actor=request.actor)
    cards, charts = [], []
    for fv in values:
        if fv.figure.breakdown:
            labels = [label for label, _n in fv.value]
            charts.append({"key": fv.key.replace(".", "-"), "label": fv.figure.label,
                           "spec": {"type": fv.figure.chart or "bar", "labels": labels,
                                    "values": [n for _label, n in fv.value]}, "rows": fv.value})
        else:
            error = getattr(fv.value, "data_error", None)  # e.g. a membership rate above 100%
            cards.append({"key": fv.key, "label": fv.figure.label, "unit": "" if error else fv.figure.unit,
                          "value": "—" if fv.value is None else error or fv.value, "group": fv.figure.group,
                          "error": bool(error)})
    return render(request, "orgs/dashboard.html", {
        "title": _("%(org)s: overview") % {"org": org.name}, "org": org, "period": period, "cards": cards,
        "charts": charts, "periods": _periods(datetime.date.today()),
        "breadcrumbs": _crumbs(request.actor, org, _("Overview")),
    })


@requires("org.view")
def tree(request):
    actor = request.actor
    q = (request.GET.get("q") or "").strip()
    at = selectors.org_get(actor=actor, code=request.GET["at"]) if request.GET.get("at") else actor.org
    results = None
    if q:
        results = selectors.org_pick(actor=actor, q=q, limit=100)  # the picker's indexed search
        for r in results:
            r.trail = " / ".join(o.name for o in selectors.org_ancestors(actor=actor, org=r)[:-1])
    children = selectors.org_children(actor=actor, org=at)
    return render(request, "orgs/tree.html", {
        "title": _("Organization tree"), "at": at, "children": children, "q": q, "results": results,
        "crumbs": selectors.org_ancestors(actor=actor, org=at),
    })


@requires("org.view")
def tree_children(request, code: str):
    """The children of one node, as rows loaded under it on the tree page (htmx): the tree expands in place."""
    org = selectors.org_get(actor=request.actor, code=code)
    return render(request, "orgs/_tree_nodes.html", {"nodes": selectors.org_children(actor=request.actor, org=org),
                                                      "depth": org.depth - request.actor.org.depth + 1})


def _picker_query(request) -> str:
    # The picker's text box is named "<field>_q" so that it never collides with the field itself.
    if "q" in request.GET:
        return request.GET["q"]
    return next((v for k, v in request.GET.items() if k.endswith("_q")), "")


@never_cache
@require_safe
@requires("org.view", "audit.view")  # the audit screen filters by unit too (the audit administrator reads no org page)
def pick(request):
    """Matches for the union picker (gonghui.core.widgets): at most ~20, inside the actor's scope; or, with
    ``browse``, one level of the tree to walk down. Bad input gives an empty list, never an error page."""
    actor = request.actor
    levels = tuple(v for v in request.GET.get("levels", "").split(",") if v in Level.values)
    options = {"levels": levels, "active_only": request.GET.get("active") == "1",
               "anywhere": request.GET.get("anywhere") == "1" and bool(levels)
               and set(levels) <= {Level.GRASSROOTS, Level.BRANCH},
               "below": request.GET.get("below", "")[:32]}
    context = {"levels": levels, "active_only": options["active_only"],
               "browse_url": reverse("orgs:pick") + "?" + urlencode(
                   {k: v for k, v in request.GET.items() if k in ("levels", "active", "below")} | {"browse": ""})}
    if "browse" in request.GET and not options["anywhere"]:
        node, children = selectors.org_browse(actor=actor, code=request.GET["browse"] or options["below"])
        # Under a "below" limit the walk starts at that unit, which itself is not a choice, and never goes above it.
        top = selectors.org_browse(actor=actor, code=options["below"])[0] if options["below"] else actor.org
        if node is not None and (top is None or not node.path.startswith(top.path)):
            node, children = None, []
        context.update(browsing=True, node=node, children=children,
                       node_pickable=(node is not None and _pickable(node, **context)
                                      and not (options["below"] and node == top)),
                       parent=_parent_in_scope(actor, node) if node is not None and node != top else None,
                       more=len(children) >= selectors.BROWSE_LIMIT)
        for child in children:
            child.pickable = _pickable(child, **context)
    else:
        context["matches"] = selectors.org_pick(actor=actor, q=_picker_query(request), **options)
        context["q"] = _picker_query(request).strip()
        context["short"] = len(context["q"]) < selectors.PICK_INFIX_MIN
    return render(request, "orgs/_pick.html", context)


def _pickable(org: Org, *, levels=(), active_only=False, **_ignored) -> bool:
    return (not levels or org.level in levels) and (org.is_active or not active_only)


def _parent_in_scope(actor, node: Org | None) -> Org | None:
    if node is None or node.depth <= actor.org.depth:
        return None
    return Org.objects.filter(path=node.path[: (node.depth - 1) * Org.steplen]).first()


@requires("org.view")
def org_list(request):
    actor = request.actor
    form = OrgFilterForm(request.GET or {"status": "active"})
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.org_list(actor=actor, filters=filters)
    columns = [
        Column(_("Code"), lambda o: o.code, sort="code", url=lambda o: reverse("orgs:detail", args=[o.code])),
        Column(_("Name"), lambda o: o.name, sort="name", url=lambda o: reverse("orgs:detail", args=[o.code])),
        Column(_("Level"), lambda o: o.get_level_display(), sort="level"),
        Column(_("Kind"), lambda o: o.get_kind_display(), sort="kind"),
        Column(_("Ownership"), lambda o: o.get_ownership_display()),
        Column(_("Employees"), lambda o: o.employee_count, sort="employee_count"),
        Column(_("Legal person"), lambda o: o.legal_person_registered),
        Column(_("Term ends on"), lambda o: o.term_ends_on or "", sort="term_ends_on"),
        Column(_("Contact person"), lambda o: o.contact_name),
        Column(_("Contact phone"), lambda o: masked(o, "contact_phone")),
        Column(_("Status"), lambda o: o.get_status_display(), sort="status"),
    ]
    page = ListPage(request, qs, columns, filter_form=form, default_sort="path", export_name="unions",
                    export_title=_("Union list"), object_type="org")
    return page.response(context={"title": _("Union list")})


@requires("org.view")
def detail(request, code: str):
    actor = request.actor
    org = selectors.org_get(actor=actor, code=code)
    children = selectors.org_children(actor=actor, org=org)
    can_write = actor.can("org.write") and org.is_active
    is_scope_root = org.pk == actor.org.pk
    return render(request, "orgs/detail.html", {
        "title": org.name, "org": org, "children": children, "phone_masked": masked(org, "contact_phone"),
        "can_write": can_write, "can_add_child": can_write and any(org.level in p for p in ALLOWED_PARENTS.values()),
        "can_move": actor.can("org.move") and org.is_active and not is_scope_root,
        "can_dissolve": actor.can("org.dissolve") and org.is_active and not is_scope_root,
        "can_reveal": actor.can("personal.reveal") and bool(org.contact_phone),
        "reveal_form": RevealForm(), "breadcrumbs": _crumbs(actor, org),
        "sections": org_sections(actor=actor, org=org),
    })


def _child_levels(parent: Org) -> list[tuple[str, str]]:
    return [(value, label) for value, label in Level.choices if parent.level in ALLOWED_PARENTS[Level(value)]]


@requires("org.write")
def create(request, code: str):
    actor = request.actor
    parent = selectors.org_get(actor=actor, code=code)
    levels = _child_levels(parent)
    if not levels or not parent.is_active:
        messages.error(request, _("No unit can be added under %(name)s.") % {"name": parent.name})
        return redirect("orgs:detail", code=parent.code)
    form = OrgForm(request.POST or None, creating=True, level_choices=levels)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.org_create(actor=actor, parent=parent, code=form.cleaned_data["code"],
                                      level=form.cleaned_data["level"], **form.service_fields())
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("%(name)s has been created.") % {"name": org.name})
            return redirect("orgs:detail", code=org.code)
    return render(request, "core/form_page.html", {
        "title": _("New unit under %(name)s") % {"name": parent.name}, "form": form,
        "cancel_url": reverse("orgs:detail", args=[parent.code]),
        "breadcrumbs": _crumbs(actor, parent, _("New unit")),
    })


@requires("org.write")
def edit(request, code: str):
    actor = request.actor
    org = selectors.org_get(actor=actor, code=code)
    initial = {f: getattr(org, f) for f in services.EDITABLE}
    form = OrgForm(request.POST or None, creating=False, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.org_update(actor=actor, org=org, **form.service_fields())
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("orgs:detail", code=org.code)
    return render(request, "core/form_page.html", {
        "title": _("Edit %(name)s") % {"name": org.name}, "form": form,
        "cancel_url": reverse("orgs:detail", args=[org.code]), "breadcrumbs": _crumbs(actor, org, _("Edit")),
    })


@requires("org.move")
def move(request, code: str):
    actor = request.actor
    org = selectors.org_get(actor=actor, code=code)
    form = MoveForm(request.POST or None, actor=actor, levels=ALLOWED_PARENTS[org.level])
    if request.method == "POST" and form.is_valid():
        new_parent = selectors.org_get(actor=actor, code=form.cleaned_data["new_parent"])
        try:
            services.org_move(actor=actor, org=org, new_parent=new_parent)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("%(name)s and its units now sit under %(parent)s.") % {
                "name": org.name, "parent": new_parent.name})
            return redirect("orgs:detail", code=org.code)
    return render(request, "core/form_page.html", {
        "title": _("Move %(name)s") % {"name": org.name}, "form": form, "submit_label": _("Move"),
        "intro": _("The union moves with all its branches and groups; their history stays."),
        "cancel_url": reverse("orgs:detail", args=[org.code]), "breadcrumbs": _crumbs(actor, org, _("Move")),
    })


@requires("org.dissolve")
def dissolve(request, code: str):
    actor = request.actor
    org = selectors.org_get(actor=actor, code=code)
    form = DissolveForm(request.POST or None, initial={"dissolved_on": datetime.date.today()})
    if request.method == "POST" and form.is_valid():
        try:
            count = services.org_dissolve(actor=actor, org=org, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("%(n)s unit(s) dissolved.") % {"n": count})
            return redirect("orgs:detail", code=org.code)
    return render(request, "core/form_page.html", {
        "title": _("Dissolve %(name)s") % {"name": org.name}, "form": form, "submit_label": _("Dissolve"),
        "intro": _("The union and every unit below it are marked dissolved. Their records and past figures stay."),
        "cancel_url": reverse("orgs:detail", args=[org.code]), "breadcrumbs": _crumbs(actor, org, _("Dissolve")),
    })


@never_cache
@require_POST
@requires("personal.reveal")
def reveal_phone(request, code: str):
    org = selectors.org_get(actor=request.actor, code=code)
    form = RevealForm(request.POST)
    if not form.is_valid():
        return HttpResponse(format_html('<span class="text-danger">{}</span>', _("Say why you need to see it.")),
                            status=422)
    try:
        phone = reveal(actor=request.actor, obj=org, field_name="contact_phone", reason=form.cleaned_data["reason"],
                       object_type="org", object_id=org.code, scope_path=org.path)
    except ValidationError as exc:
        return HttpResponse(format_html('<span class="text-danger">{}</span>', " ".join(exc.messages)), status=422)
    response = HttpResponse(format_html('<span class="gh-revealed">{}</span>', phone))
    response["Cache-Control"] = "no-store"
    return response

