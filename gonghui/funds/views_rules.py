"""The rule engine's pages: the alert inbox (tabs by state, filters, charts by rule and unit), an alert's page with
its actions, the scan on demand, the rule settings of a federation, the holiday-gift cap table and the custom rule
builder with its preview."""

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gonghui.core.forms import DateInput, StyledForm, apply_validation_error
from gonghui.core.listing import Column, ListPage
from gonghui.core.views import requires
from gonghui.core.widgets import OrgPickerField
from gonghui.orgs.models import FEDERATION_LEVELS
from gonghui.orgs.selectors import org_get
from gonghui.oversight.problems import problem_url
from gonghui.oversight.selectors_problems import problems_linked

from . import alerts, selectors_rules
from .models import AlertState, RuleKey
from .models.rules import BUILT_IN, DEFAULT_BANNED_WORDS
from .rules import scan
from .rules.custom import FIELDS, OPS, compile_rule, describe
from .rules.engine import custom_rule_lines, settings_for

ALL = gettext_lazy("All")


def _blank(choices):
    return [("", ALL), *choices]


def crumbs(*items):
    return [{"label": _("Funds alerts"), "url": reverse("funds:alerts")}, *({"label": i} for i in items)]


class AlertFilterForm(StyledForm):
    org = OrgPickerField(label=gettext_lazy("Unit"), required=False)
    rule = forms.ChoiceField(label=gettext_lazy("Rule"), choices=_blank(RuleKey.choices), required=False)
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=1990, max_value=2100, required=False)


class ScanForm(StyledForm):
    org = OrgPickerField(label=gettext_lazy("Unit"), required=False)
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=1990, max_value=2100)


class ReasonForm(StyledForm):
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ConfirmForm(ReasonForm):
    as_problem = forms.BooleanField(label=gettext_lazy("Also put it on the problem list"), required=False)


class FileProblemForm(StyledForm):
    pass


class NoteForm(StyledForm):
    note = forms.CharField(label=gettext_lazy("How it was put right"), widget=forms.Textarea(attrs={"rows": 3}),
                           max_length=2000)


def _columns():
    def url(a):
        return reverse("funds:alert_detail", args=[a.pk])

    return [
        Column(_("Rule"), lambda a: a.get_rule_display(), url=url),
        Column(_("Union"), lambda a: a.union.name),
        Column(_("Year"), lambda a: a.year),
        Column(_("Date"), lambda a: a.first_date),
        Column(_("Amount"), lambda a: f"{a.amount:,.2f}"),
        Column(_("Finding"), lambda a: a.message),
        Column(_("State"), lambda a: a.get_state_display()),
    ]


@never_cache
@requires("funds.view")
def alert_inbox(request):
    actor = request.actor
    form = AlertFilterForm(request.GET or None, actor=actor)
    filters = dict(form.cleaned_data) if form.is_bound and form.is_valid() else {}
    if code := (filters.pop("org", "") or "").strip():
        filters["org"] = org_get(actor=actor, code=code.upper())
    tab = request.GET.get("state", AlertState.OPEN)
    tab = tab if tab in AlertState.values else AlertState.OPEN
    counts = selectors_rules.alert_counts(actor=actor, filters=filters)
    qs = selectors_rules.alert_list(actor=actor, filters={**filters, "state": tab}).order_by("-created_at", "-pk")
    page = ListPage(request, qs, _columns(), filter_form=form, export_name="funds-alerts", object_type="funds.alert",
                    export_title=_("Funds alerts"))
    page.queryset = qs
    if request.GET.get("export") == "xlsx":
        return page.export()
    page.paginate(total=counts[tab])
    base = request.GET.copy()
    base.pop("page", None)
    tabs = []
    for key in selectors_rules.STATE_TABS:
        base["state"] = key
        tabs.append({"key": key, "label": AlertState(key).label, "count": counts[key], "active": key == tab,
                     "url": "?" + base.urlencode()})
    chart = selectors_rules.alert_chart(actor=actor, filters=filters)
    labels = dict(RuleKey.choices)
    charts = [
        {"key": "alerts-by-rule", "label": _("Alerts by rule"),
         "rows": [(str(labels.get(r["rule"], r["rule"])), r["n"]) for r in chart["rule"]]},
        {"key": "alerts-by-unit", "label": _("Alerts by unit"),
         "rows": [(r["union__name"], r["n"]) for r in chart["unit"]]},
    ]
    for c in charts:
        c["spec"] = {"type": "bar", "labels": [r[0] for r in c["rows"]], "values": [r[1] for r in c["rows"]]}
    can_scan = actor.can("funds.review") or actor.can("funds.write")
    return render(request, "funds/alerts_inbox.html", {
        "title": _("Funds alerts: %(org)s") % {"org": actor.org.name}, "listing": page, "tabs": tabs, "tab": tab,
        "charts": charts, "scan_form": ScanForm(initial={"year": timezone.localdate().year}, actor=actor)
        if can_scan else None,
    })


@require_POST
@requires("funds.review", "funds.write")
def alert_scan(request):
    actor = request.actor
    form = ScanForm(request.POST, actor=actor)
    if not form.is_valid():
        messages.error(request, _("Choose a unit and a year to scan."))
        return redirect("funds:alerts")
    code = (form.cleaned_data.get("org") or "").strip()
    org = org_get(actor=actor, code=code.upper()) if code else actor.org
    result = scan(actor=actor, org=org, year=form.cleaned_data["year"])
    messages.success(request, _("Scanned %(org)s for %(year)s: %(found)s alerts found, %(new)s new.") % {
        "org": org.name, "year": form.cleaned_data["year"], "found": result.found, "new": result.created})
    return redirect(reverse("funds:alerts") + f"?year={form.cleaned_data['year']}")


ACTIONS = {
    "explain": ("funds.write", ReasonForm, gettext_lazy("Explain"), gettext_lazy("Explanation sent.")),
    "dismiss": ("funds.review", ReasonForm, gettext_lazy("Dismiss"), gettext_lazy("Alert dismissed.")),
    "confirm": ("funds.review", ConfirmForm, gettext_lazy("Confirm as a problem"),
                gettext_lazy("Confirmed as a problem.")),
    "problem": ("oversight.write", FileProblemForm, gettext_lazy("Put on the problem list"),
                gettext_lazy("Put on the problem list.")),
    "rectify": ("funds.write", NoteForm, gettext_lazy("Rectified"), gettext_lazy("Rectification recorded.")),
}
OPEN_TO = {"explain": alerts.EXPLAINABLE, "dismiss": alerts.REVIEWABLE, "confirm": alerts.REVIEWABLE,
           "rectify": (AlertState.CONFIRMED,), "problem": (AlertState.CONFIRMED,)}


def _detail(request, alert, bound=None, status=200):
    actor = request.actor
    bound = bound or {}
    problems = problems_linked(actor=actor, link_kind="funds.alert", link_id=alert.pk)
    actions = [{"name": name, "label": label, "form": bound.get(name) or form_cls(),
                "url": reverse("funds:alert_action", args=[alert.pk, name])}
               for name, (perm, form_cls, label, _done) in ACTIONS.items()
               if actor.can(perm) and alert.state in OPEN_TO[name] and not (name == "problem" and problems)]
    for a in actions:
        if a["name"] == "confirm" and not actor.can("oversight.write"):
            a["form"].fields.pop("as_problem", None)
    return render(request, "funds/alerts_detail.html", {
        "title": _("Alert: %(rule)s") % {"rule": alert.get_rule_display()}, "alert": alert,
        "lines": selectors_rules.alert_lines(alert=alert), "events": selectors_rules.alert_events(alert=alert),
        "actions": actions, "breadcrumbs": crumbs(alert.get_rule_display()),
        "problems": [(p, problem_url(p)) for p in problems],
    }, status=status)


@never_cache
@requires("funds.view")
def alert_detail(request, pk: int):
    return _detail(request, selectors_rules.alert_get(actor=request.actor, pk=pk))


@require_POST
@requires("funds.write", "funds.review")
def alert_action(request, pk: int, action: str):
    actor = request.actor
    alert = selectors_rules.alert_get(actor=actor, pk=pk)
    if action not in ACTIONS:
        return redirect("funds:alert_detail", pk=pk)
    perm, form_cls, _label, done = ACTIONS[action]
    if not actor.can(perm):
        raise PermissionDenied(perm)
    form = form_cls(request.POST)
    if form.is_valid():
        try:
            text = form.cleaned_data.get("reason") or form.cleaned_data.get("note")
            if action == "rectify":
                alerts.alert_rectify(actor=actor, alert=alert, note=text)
            elif action == "problem":
                alerts.alert_file_problem(actor=actor, alert=alert)
            elif action == "confirm" and form.cleaned_data.get("as_problem") and actor.can("oversight.write"):
                with transaction.atomic():
                    alerts.alert_confirm(actor=actor, alert=alert, reason=text)
                    alerts.alert_file_problem(actor=actor, alert=alert)
            else:
                getattr(alerts, f"alert_{action}")(actor=actor, alert=alert, reason=text)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, str(done))
            return redirect("funds:alert_detail", pk=pk)
    return _detail(request, alert, bound={action: form}, status=422)


# --- settings, caps, custom rules (funds.settings) ---

class SettingsForm(StyledForm):
    enabled = forms.MultipleChoiceField(label=gettext_lazy("Rules switched on"), required=False,
                                        choices=[(k, RuleKey(k).label) for k in BUILT_IN],
                                        widget=forms.CheckboxSelectMultiple)
    threshold = forms.DecimalField(label=gettext_lazy("Collective-decision threshold (yuan)"), max_digits=16,
                                   decimal_places=2, min_value=0.01)
    window_days = forms.IntegerField(label=gettext_lazy("Split-purchase window (days)"), min_value=1, max_value=31)
    cash_limit = forms.DecimalField(label=gettext_lazy("Cash payment limit (yuan)"), max_digits=16,
                                    decimal_places=2, min_value=0.01)
    banned_words = forms.CharField(label=gettext_lazy("Banned words (one a line)"),
                                   widget=forms.Textarea(attrs={"rows": 8}), required=False)


def _federation_or_403(actor):
    if actor.org.level not in FEDERATION_LEVELS:
        raise PermissionDenied("funds.settings")
    return actor.org


@never_cache
@requires("funds.settings")
def rule_settings(request):
    actor = request.actor
    org = _federation_or_403(actor)
    row = settings_for(org)
    initial = ({"enabled": [k for k in BUILT_IN if row.enabled(k)], "threshold": row.threshold,
                "window_days": row.window_days, "cash_limit": row.cash_limit, "banned_words": row.banned_words}
               if row else {"enabled": BUILT_IN, "threshold": "20000.00", "window_days": 7, "cash_limit": "1000.00",
                            "banned_words": "\n".join(DEFAULT_BANNED_WORDS)})
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            alerts.rule_settings_save(actor=actor, org=org, disabled=[k for k in BUILT_IN if k not in d["enabled"]],
                                      threshold=d["threshold"], window_days=d["window_days"],
                                      cash_limit=d["cash_limit"], banned_words=d["banned_words"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Rule settings saved; they apply to every union below without its own."))
            return redirect("funds:rule_settings")
    inherited = row is not None and row.org_id != org.pk
    return render(request, "funds/rules_settings.html", {
        "title": _("Rule settings: %(org)s") % {"org": org.name}, "form": form, "org": org,
        "inherited_from": row.org if inherited else None, "breadcrumbs": crumbs(_("Rule settings")),
    }, status=422 if form.errors else 200)


class CapForm(StyledForm):
    effective_from = forms.DateField(label=gettext_lazy("In force from"), widget=DateInput)
    amount = forms.DecimalField(label=gettext_lazy("Cap a member a year (yuan)"), max_digits=16, decimal_places=2,
                                min_value=0.01)


@never_cache
@requires("funds.settings")
def gift_caps(request):
    actor = request.actor
    org = _federation_or_403(actor)
    form = CapForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            alerts.gift_cap_add(actor=actor, org=org, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Cap added."))
            return redirect("funds:gift_caps")
    return render(request, "funds/rules_caps.html", {
        "title": _("Holiday-gift caps"), "form": form, "caps": selectors_rules.gift_caps(actor=actor),
        "breadcrumbs": crumbs(_("Holiday-gift caps")),
    }, status=422 if form.errors else 200)


@require_POST
@requires("funds.settings")
def gift_cap_delete(request, pk: int):
    cap = selectors_rules.gift_cap_get(actor=request.actor, pk=pk)
    alerts.gift_cap_delete(actor=request.actor, cap=cap)
    messages.success(request, _("Cap deleted."))
    return redirect("funds:gift_caps")


ROWS = 6
FIELD_CHOICES = [("", "—"), *[(k, v[0]) for k, v in FIELDS.items()]]
OP_CHOICES = [("", "—"), *OPS.items()]


class CustomRuleForm(StyledForm):
    name = forms.CharField(label=gettext_lazy("Rule name"), max_length=80)
    match = forms.ChoiceField(label=gettext_lazy("Combine the conditions"), choices=[
        ("all", gettext_lazy("all must hold (and)")), ("any", gettext_lazy("any may hold (or)"))])
    enabled = forms.BooleanField(label=gettext_lazy("Switched on"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(ROWS):
            self.fields[f"c{i}_field"] = forms.ChoiceField(label=_("Condition %(n)s: field") % {"n": i + 1},
                                                           choices=FIELD_CHOICES, required=False)
            self.fields[f"c{i}_op"] = forms.ChoiceField(label=_("comparison"), choices=OP_CHOICES, required=False)
            self.fields[f"c{i}_value"] = forms.CharField(label=_("value"), max_length=200, required=False)
            self.fields[f"c{i}_group"] = forms.BooleanField(label=_("in the group"), required=False)

    def rows(self):
        return [[self[f"c{i}_{part}"] for part in ("field", "op", "value", "group")] for i in range(ROWS)]

    def spec(self) -> dict:
        d = self.cleaned_data
        main, group = [], []
        for i in range(ROWS):
            name = d.get(f"c{i}_field")
            if not name:
                continue
            raw = (d.get(f"c{i}_value") or "").strip()
            value: object = raw
            if name == "amount" and d.get(f"c{i}_op") == "between":
                value = [v.strip() for v in raw.replace("～", "-").replace("~", "-").split("-") if v.strip()]
            elif name == "weekday":
                value = [v for v in raw.replace("，", ",").replace("、", ",").split(",") if v.strip()]
            cond = {"field": name, "op": d.get(f"c{i}_op"), "value": value}
            (group if d.get(f"c{i}_group") else main).append(cond)
        if group:
            main.append({"any" if d["match"] == "all" else "all": group})
        return {"match": d["match"], "conditions": main}

    @classmethod
    def initial_from(cls, rule) -> dict:
        initial = {"name": rule.name, "match": rule.conditions.get("match", "all"), "enabled": rule.enabled}
        rows = []
        for c in rule.conditions.get("conditions", []):
            if "any" in c or "all" in c:
                rows += [{**x, "group": True} for x in c.get("any", c.get("all", []))]
            else:
                rows.append(c)
        for i, c in enumerate(rows[:ROWS]):
            value = c.get("value")
            if isinstance(value, list):
                value = ("-" if c.get("field") == "amount" else ",").join(str(v) for v in value)
            initial.update({f"c{i}_field": c.get("field"), f"c{i}_op": c.get("op"), f"c{i}_value": value,
                            f"c{i}_group": c.get("group", False)})
        return initial


@never_cache
@requires("funds.settings")
def custom_rule_list(request):
    actor = request.actor
    rules = [{"rule": r, "text": describe(r.conditions)} for r in selectors_rules.custom_rules(actor=actor)]
    return render(request, "funds/rules_custom_list.html", {
        "title": _("Custom rules"), "rules": rules, "breadcrumbs": crumbs(_("Custom rules")),
    })


@never_cache
@requires("funds.settings")
def custom_rule_edit(request, pk: int | None = None):
    actor = request.actor
    org = _federation_or_403(actor)
    rule = selectors_rules.custom_rule_get(actor=actor, pk=pk) if pk else None
    form = CustomRuleForm(request.POST or None,
                          initial=CustomRuleForm.initial_from(rule) if rule else {"match": "all"})
    preview = None
    if request.method == "POST" and form.is_valid():
        spec = form.spec()
        try:
            compile_rule(spec)
            if "preview" in request.POST:
                year = timezone.localdate().year
                probe = rule or alerts.CustomRule(org=org, org_path=org.path, conditions=spec)
                probe.conditions = spec
                qs = custom_rule_lines(probe, root=actor.org.path, year=year).select_related(
                    "voucher", "account").order_by("-date", "-pk")
                preview = {"count": qs.count(), "lines": list(qs[:50]), "year": year, "text": describe(spec)}
            else:
                saved = alerts.custom_rule_save(actor=actor, org=rule.org if rule else org,
                                                name=form.cleaned_data["name"], conditions=spec,
                                                enabled=form.cleaned_data["enabled"], rule=rule)
                messages.success(request, _("Rule %(name)s saved.") % {"name": saved.name})
                return redirect("funds:custom_rules")
        except ValidationError as exc:
            apply_validation_error(form, exc)
    return render(request, "funds/rules_custom_edit.html", {
        "title": _("Custom rule") if rule is None else _("Custom rule: %(name)s") % {"name": rule.name},
        "form": form, "rule": rule, "preview": preview, "breadcrumbs": crumbs(_("Custom rules")),
        "today": datetime.date.today(),
    }, status=422 if form.errors else 200)


urlpatterns = [
    path("funds/alerts/", alert_inbox, name="alerts"),
    path("funds/alerts/scan/", alert_scan, name="alert_scan"),
    path("funds/alerts/<int:pk>/", alert_detail, name="alert_detail"),
    path("funds/alerts/<int:pk>/<str:action>/", alert_action, name="alert_action"),
    path("funds/rules/settings/", rule_settings, name="rule_settings"),
    path("funds/rules/caps/", gift_caps, name="gift_caps"),
    path("funds/rules/caps/<int:pk>/delete/", gift_cap_delete, name="gift_cap_delete"),
    path("funds/rules/custom/", custom_rule_list, name="custom_rules"),
    path("funds/rules/custom/new/", custom_rule_edit, name="custom_rule_new"),
    path("funds/rules/custom/<int:pk>/", custom_rule_edit, name="custom_rule_edit"),
]
