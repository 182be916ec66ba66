"""Back-office pages of the workers' congresses: congresses with their sessions, agenda votes and delegates (with
the composition and the managers' warning, and the delegates' import), the proposal inbox and a proposal's page
with the committee's and the department's steps, the proposal book (提案汇编) in xlsx, and the 厂务公开 records."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gonghui.core import audit
from gonghui.core.forms import apply_validation_error
from gonghui.core.listing import Column, ListPage
from gonghui.core.spreadsheets import export_filename, write_xlsx, xlsx_response
from gonghui.core.views import requires
from gonghui.orgs.selectors import org_get

from . import congress as services
from . import import_delegates, proposals
from . import selectors_congress as selectors
from .forms_congress import (
    AgendaForm,
    AnswerForm,
    AssignForm,
    CongressFilterForm,
    CongressForm,
    DecisionForm,
    DelegateForm,
    DisclosureFilterForm,
    DisclosureForm,
    ImportForm,
    ProposalFilterForm,
    ProposalForm,
    RateForm,
    ReopenForm,
    RulesForm,
    SessionForm,
    VoteForm,
)
from .models import ProposalState

IMPORT_MAX_BYTES = 5 * 1024 * 1024
def _tab_label(key: str) -> str:
    return str({"submitted": _("Awaiting the committee"), "accepted": _("Accepted, to assign"),
                "assigned": _("Being handled"), "overdue": _("Overdue"), "answered": _("Answered, to rate"),
                "closed": _("Closed"), "all": _("All")}[key])


def _crumbs(*items):
    return [{"label": _("Workers' congresses"), "url": reverse("democracy:congresses")},
            *({"label": i} if isinstance(i, str) else i for i in items)]


def _can_write(actor, path: str) -> bool:
    return actor.can("democracy.write") and actor.covers(path)


# --- congresses -------------------------------------------------------------------------------------------------

@never_cache
@requires("democracy.view")
def congress_list(request):
    actor = request.actor
    form = CongressFilterForm(request.GET or None)
    filters = dict(form.cleaned_data) if form.is_bound and form.is_valid() else {}
    qs = selectors.congress_list(actor=actor, filters=filters).annotate(
        delegates_n=Count("delegates"), managers_n=Count("delegates", filter=Q(delegates__manager=True)))

    def managers(c):
        if not c.delegates_n:
            return "—"
        share = round(100 * c.managers_n / c.delegates_n, 1)
        flag = "⚠ " if c.managers_n * 100 > services.MANAGER_SHARE_MAX * c.delegates_n else ""
        return f"{flag}{c.managers_n}（{share}%）"

    cols = [Column(_("Congress"), lambda c: c.title, url=lambda c: reverse("democracy:congress_detail", args=[c.pk])),
            Column(_("Kind"), lambda c: c.get_kind_display()),
            Column(_("Term"), lambda c: f"{c.term_start:%Y-%m-%d} — {c.term_end:%Y-%m-%d}", sort="term_start"),
            Column(_("Delegates"), lambda c: c.delegates_n), Column(_("Managers"), managers),
            Column(_("Proposals"), lambda c: c.proposal_seq)]
    page = ListPage(request, qs, cols, filter_form=form, default_sort="-term_start", export_name="congresses",
                    object_type="democracy.congress", export_title=_("Workers' congresses"))
    actions = [{"label": _("New congress term"), "url": reverse("democracy:congress_new")}] \
        if actor.can("democracy.write") else []
    return page.response("core/list.html", {"title": _("Workers' congresses"), "page_actions": actions})


@never_cache
@requires("democracy.write")
def congress_new(request):
    actor = request.actor
    form = CongressForm(request.POST or None, actor=actor, initial={"org": actor.org.code})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            congress = services.congress_create(
                actor=actor, org=org_get(actor=actor, code=d["org"]), kind=d["kind"], term=d["term"],
                term_start=d["term_start"], term_end=d["term_end"], cosigners_required=d["cosigners_required"],
                reply_days=d["reply_days"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Congress term recorded. Now enter its delegates."))
            return redirect("democracy:congress_detail", pk=congress.pk)
    return render(request, "democracy/form.html", {
        "title": _("New congress term"), "form": form, "cancel": reverse("democracy:congresses"),
        "breadcrumbs": _crumbs(_("New congress term"))}, status=422 if request.method == "POST" else 200)


def _congress_page(request, congress, *, rules_form=None, session_form=None, status=200):
    actor = request.actor
    can_write = _can_write(actor, congress.org_path)
    return render(request, "democracy/congress.html", {
        "title": congress.title, "c": congress, "can_write": can_write,
        "composition": services.composition(congress), "sessions": selectors.sessions_of(congress),
        "counts": selectors.proposal_counts(actor=actor, congress=congress),
        "rules_form": rules_form or RulesForm(initial={"term_end": congress.term_end,
                                                        "cosigners_required": congress.cosigners_required,
                                                        "reply_days": congress.reply_days}),
        "session_form": session_form or SessionForm(), "can_export": actor.can("export"),
        "breadcrumbs": _crumbs(congress.title)}, status=status)


@never_cache
@requires("democracy.view")
def congress_detail(request, pk: int):
    return _congress_page(request, selectors.congress_get(actor=request.actor, pk=pk))


@require_POST
@requires("democracy.write")
def congress_rules(request, pk: int):
    congress = selectors.congress_get(actor=request.actor, pk=pk)
    form = RulesForm(request.POST)
    if form.is_valid():
        try:
            services.congress_update(actor=request.actor, congress=congress, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Rules saved."))
            return redirect("democracy:congress_detail", pk=pk)
    return _congress_page(request, congress, rules_form=form, status=422)


@require_POST
@requires("democracy.write")
def session_new(request, pk: int):
    congress = selectors.congress_get(actor=request.actor, pk=pk)
    form = SessionForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            session = services.session_create(actor=request.actor, congress=congress, number=d["number"],
                                              held_on=d["held_on"], place=d["place"], present=d["present"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Session recorded. Now enter its agenda and the votes."))
            return redirect("democracy:session_detail", pk=session.pk)
    return _congress_page(request, congress, session_form=form, status=422)


# --- sessions and agenda items -----------------------------------------------------------------------------------

def _session_page(request, session, *, agenda_form=None, vote_forms=None, status=200):
    congress = session.congress
    items = list(session.items.order_by("position"))
    for item in items:
        item.session = session
        item.vote_form = (vote_forms or {}).get(item.pk) or VoteForm(prefix=f"v{item.pk}", initial={
            "votes_for": item.votes_for, "votes_against": item.votes_against, "votes_abstain": item.votes_abstain})
    return render(request, "democracy/session.html", {
        "title": f"{congress.title}{session}", "s": session, "c": congress, "items": items,
        "can_write": _can_write(request.actor, session.org_path), "agenda_form": agenda_form or AgendaForm(),
        "majority": session.delegates_total // 2 + 1,
        "breadcrumbs": _crumbs({"label": congress.title, "url": reverse("democracy:congress_detail",
                                                                       args=[congress.pk])}, str(session))},
        status=status)


@never_cache
@requires("democracy.view")
def session_detail(request, pk: int):
    return _session_page(request, selectors.session_get(actor=request.actor, pk=pk))


@require_POST
@requires("democracy.write")
def agenda_add(request, pk: int):
    session = selectors.session_get(actor=request.actor, pk=pk)
    form = AgendaForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.agenda_item_add(actor=request.actor, session=session, title=d["title"], kind=d["kind"],
                                     votes=d["votes"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Agenda item recorded."))
            return redirect("democracy:session_detail", pk=pk)
    return _session_page(request, session, agenda_form=form, status=422)


@require_POST
@requires("democracy.write")
def agenda_vote(request, pk: int):
    item = selectors.agenda_item_get(actor=request.actor, pk=pk)
    form = VoteForm(request.POST, prefix=f"v{item.pk}")
    if form.is_valid():
        try:
            services.agenda_item_vote(actor=request.actor, item=item, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Vote recorded."))
            return redirect("democracy:session_detail", pk=item.session_id)
    return _session_page(request, item.session, vote_forms={item.pk: form}, status=422)


# --- delegates ---------------------------------------------------------------------------------------------------

def _congress_crumbs(congress, *items):
    return _crumbs({"label": congress.title, "url": reverse("democracy:congress_detail", args=[congress.pk])},
                   *items)


@never_cache
@requires("democracy.view")
def delegate_list(request, pk: int):
    actor = request.actor
    congress = selectors.congress_get(actor=actor, pk=pk)

    def yes(flag):
        return _("yes") if flag else ""

    cols = [Column(_("Full name"), lambda d: d.name, sort="name"),
            Column(_("Election unit"), lambda d: d.election_unit, sort="election_unit"),
            Column(_("Front-line worker"), lambda d: yes(d.front_line)), Column(_("Woman"), lambda d: yes(d.woman)),
            Column(_("Manager"), lambda d: yes(d.manager)),
            Column(_("In the members registry"), lambda d: yes(d.person_id))]
    page = ListPage(request, selectors.delegates_of(congress), cols, default_sort="election_unit",
                    export_name="delegates", object_type="democracy.congress",
                    export_title=_("Delegates of %(c)s") % {"c": congress.title}, export_unit=congress.org)
    actions = []
    if _can_write(actor, congress.org_path):
        actions = [{"label": _("Add a delegate"), "url": reverse("democracy:delegate_new", args=[pk])},
                   {"label": _("Import delegates"), "url": reverse("democracy:delegate_import", args=[pk])}]
    return page.response("core/list.html", {"title": _("Delegates of %(c)s") % {"c": congress.title},
                                            "page_actions": actions,
                                            "breadcrumbs": _congress_crumbs(congress, _("Delegates"))})


@never_cache
@requires("democracy.write")
def delegate_new(request, pk: int):
    actor = request.actor
    congress = selectors.congress_get(actor=actor, pk=pk)
    form = DelegateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.delegate_add(actor=actor, congress=congress, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Delegate added."))
            return redirect("democracy:delegates", pk=pk)
    return render(request, "democracy/form.html", {
        "title": _("Add a delegate"), "form": form, "cancel": reverse("democracy:delegates", args=[pk]),
        "breadcrumbs": _congress_crumbs(congress, _("Add a delegate"))},
        status=422 if request.method == "POST" else 200)


@never_cache
@requires("democracy.write")
def delegate_import(request, pk: int):
    """Upload the delegates; a file with any refused row writes nothing and lists every problem (with a report)."""
    actor = request.actor
    congress = selectors.congress_get(actor=actor, pk=pk)
    actor.require_covers(congress.org_path)
    form = ImportForm(request.POST or None, request.FILES or None)
    title = _("Import delegates from a spreadsheet")
    ctx = {"title": title, "c": congress, "columns": list(import_delegates.NAMES.values()),
           "breadcrumbs": _congress_crumbs(congress, title)}
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        if f.size > IMPORT_MAX_BYTES:
            form.add_error("file", _("The file is larger than 5 MB."))
        else:
            data = f.read()
            read = import_delegates.delegate_rows(actor=actor, congress=congress, data=data, filename=f.name)
            if request.POST.get("report"):
                return import_delegates.report_response(read)
            if not read.problems:
                try:
                    n = import_delegates.delegate_import(actor=actor, congress=congress, data=data,
                                                         filename=f.name)
                except ValidationError as exc:
                    ctx["problems"] = exc.messages
                else:
                    messages.success(request, _("%(n)s delegates imported.") % {"n": n})
                    return redirect("democracy:congress_detail", pk=pk)
            else:
                ctx["problems"] = read.problems
    ctx["form"] = form
    return render(request, "democracy/delegate_import.html", ctx, status=422 if request.method == "POST" else 200)


@never_cache
@requires("democracy.write")
def delegate_import_template(request, pk: int):
    congress = selectors.congress_get(actor=request.actor, pk=pk)
    return xlsx_response(import_delegates.template(), f"{congress.title}-代表导入模板.xlsx")


# --- proposals -----------------------------------------------------------------------------------------------------

@never_cache
@requires("democracy.view")
def proposal_inbox(request):
    """The proposals of the actor's subtree on tabs by state, with their supervision colors and tab counts."""
    actor = request.actor
    form = ProposalFilterForm(request.GET or None)
    filters = dict(form.cleaned_data) if form.is_bound and form.is_valid() else {}
    congress = None
    if (cid := request.GET.get("congress", "")).isdigit():
        congress = selectors.congress_get(actor=actor, pk=int(cid))
    tab = request.GET.get("tab", "submitted")
    tab = tab if tab in selectors.TABS else "submitted"
    qs = selectors.proposal_list(actor=actor, tab=tab, filters=filters, congress=congress)
    cols = [Column(_("Number"), lambda p: p.number), Column(_("Proposal title"), lambda p: p.title),
            Column(_("Congress"), lambda p: p.congress.title), Column(_("Proposer"), lambda p: p.proposer.name),
            Column(_("State"), lambda p: p.get_state_display()), Column(_("Department"), lambda p: p.department),
            Column(_("Answer due on"), lambda p: p.due_on or ""),
            Column(_("Color"), lambda p: {"red": _("Overdue"), "yellow": _("Stalled"),
                                          "blue": _("Due soon")}.get(p.color, ""))]
    page = ListPage(request, qs, cols, filter_form=form, export_name=f"proposals-{tab}",
                    object_type="democracy.proposal", export_title=_("Proposals (%(tab)s)") % {
                        "tab": _tab_label(tab)})
    page.queryset = qs.order_by("-id")
    if request.GET.get("export") == "xlsx":
        return page.export()
    counts = selectors.proposal_counts(actor=actor, congress=congress)
    page.paginate(total=None if any(filters.values()) else counts[tab])
    base = request.GET.copy()
    base.pop("page", None)
    tabs = []
    for key in selectors.TABS:
        base["tab"] = key
        tabs.append({"key": key, "label": _tab_label(key), "count": counts[key], "active": key == tab,
                     "url": "?" + base.urlencode()})
    title = _("Proposals") if congress is None else _("Proposals of %(c)s") % {"c": congress.title}
    return render(request, "democracy/proposal_inbox.html", {
        "title": title, "listing": page, "tabs": tabs, "tab": tab, "congress": congress,
        "page_actions": [{"label": _("Submit a proposal"), "url": reverse("democracy:proposal_new",
                                                                          args=[congress.pk])}]
        if congress is not None and _can_write(actor, congress.org_path) else []})


@never_cache
@requires("democracy.write")
def proposal_new(request, pk: int):
    """A delegate's proposal, entered by the union's office from the 提案表 (recorded as entered by the officer)."""
    actor = request.actor
    congress = selectors.congress_get(actor=actor, pk=pk)
    actor.require_covers(congress.org_path)
    delegates = selectors.delegate_choices(congress)
    by_pk = {str(d.pk): d for d in delegates}
    form = ProposalForm(request.POST or None, delegates=delegates, required=congress.cosigners_required)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            p = proposals.proposal_submit(
                actor=actor, congress=congress, proposer=by_pk.get(d["proposer"]),
                cosigners=[by_pk[k] for k in d["cosigners"]], title=d["title"], reason=d["reason"],
                suggestion=d["suggestion"], submitted_on=d["submitted_on"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Proposal %(n)s recorded.") % {"n": p.number})
            return redirect("democracy:proposal_detail", pk=p.pk)
    return render(request, "democracy/form.html", {
        "title": _("Submit a proposal"), "form": form, "cancel": reverse("democracy:congress_detail", args=[pk]),
        "breadcrumbs": _congress_crumbs(congress, _("Submit a proposal"))},
        status=422 if request.method == "POST" else 200)


def _proposal_page(request, p, *, forms=None, status=200):
    actor = request.actor
    can_write = _can_write(actor, p.org_path)
    forms = forms or {}
    s = p.state
    ctx = {"title": f"{p.number} {p.title}", "p": p, "can_write": can_write, "states": ProposalState,
           "cosigners": list(p.cosigners.order_by("election_unit", "name")), "events": selectors.timeline(p),
           "breadcrumbs": [{"label": _("Proposals"), "url": reverse("democracy:proposals")}, {"label": p.number}]}
    if can_write:
        if s == ProposalState.SUBMITTED:
            ctx["decision_form"] = forms.get("decision") or DecisionForm()
        if s == ProposalState.ACCEPTED:
            ctx["assign_form"] = forms.get("assign") or AssignForm()
        if s == ProposalState.ASSIGNED:
            ctx["answer_form"] = forms.get("answer") or AnswerForm()
        if s == ProposalState.ANSWERED:
            ctx["rate_form"] = forms.get("rate") or RateForm()
        if proposals.can_reopen(p):
            ctx["reopen_form"] = forms.get("reopen") or ReopenForm()
    return render(request, "democracy/proposal.html", ctx, status=status)


@never_cache
@requires("democracy.view")
def proposal_detail(request, pk: int):
    return _proposal_page(request, selectors.proposal_get(actor=request.actor, pk=pk))


def _act(request, pk: int, key: str, form_class, call, done: str):
    p = selectors.proposal_get(actor=request.actor, pk=pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            call(p, form.cleaned_data)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                apply_validation_error(form, exc)
            else:
                messages.error(request, "；".join(exc.messages))
                return redirect("democracy:proposal_detail", pk=pk)
        else:
            messages.success(request, done)
            return redirect("democracy:proposal_detail", pk=pk)
    return _proposal_page(request, p, forms={key: form}, status=422)


@require_POST
@requires("democracy.write")
def proposal_decide(request, pk: int):
    def call(p, d):
        if d["decision"] == "accept":
            proposals.proposal_accept(actor=request.actor, proposal=p, note=d["note"], on=d["on"])
        elif d["decision"] == "convert":
            proposals.proposal_convert(actor=request.actor, proposal=p, note=d["note"], on=d["on"])
        else:
            try:
                proposals.proposal_decline(actor=request.actor, proposal=p, reason=d["note"], on=d["on"])
            except ValidationError as exc:
                if not hasattr(exc, "error_dict"):
                    raise
                # The form's one text box is the decline's reason.
                raise ValidationError({"note" if k == "reason" else k: v for k, v in exc.error_dict.items()}) \
                    from None

    return _act(request, pk, "decision", DecisionForm, call, _("Committee's decision recorded."))


@require_POST
@requires("democracy.write")
def proposal_assign(request, pk: int):
    return _act(request, pk, "assign", AssignForm, lambda p, d: proposals.proposal_assign(
        actor=request.actor, proposal=p, department=d["department"], handler=d["handler"], on=d["on"]),
        _("Proposal assigned."))


@require_POST
@requires("democracy.write")
def proposal_answer(request, pk: int):
    return _act(request, pk, "answer", AnswerForm, lambda p, d: proposals.proposal_answer(
        actor=request.actor, proposal=p, reply=d["reply"], on=d["on"]), _("Reply recorded."))


@require_POST
@requires("democracy.write")
def proposal_rate(request, pk: int):
    return _act(request, pk, "rate", RateForm, lambda p, d: proposals.proposal_rate(
        actor=request.actor, proposal=p, rating=d["rating"], note=d["note"], on=d["on"]),
        _("Proposer's rating recorded."))


@require_POST
@requires("democracy.write")
def proposal_reopen(request, pk: int):
    return _act(request, pk, "reopen", ReopenForm, lambda p, d: proposals.proposal_reopen(
        actor=request.actor, proposal=p, department=d["department"], handler=d["handler"], on=d["on"]),
        _("Proposal reopened with a new deadline."))


BOOK_HEADERS = (gettext_lazy("Number"), gettext_lazy("Proposal title"), gettext_lazy("Proposer"),
                gettext_lazy("Election unit"), gettext_lazy("Co-signers"), gettext_lazy("Submitted on"),
                gettext_lazy("State"), gettext_lazy("Committee's note"), gettext_lazy("Department"),
                gettext_lazy("Handler"), gettext_lazy("Answer due on"), gettext_lazy("Replied on"),
                gettext_lazy("Reply"), gettext_lazy("Rating"), gettext_lazy("Proposer's comment"))


def proposal_book_rows(congress):
    """The rows of the proposal book: one per proposal in number order, co-signers in one cell."""
    from .models import Proposal

    qs = Proposal.objects.filter(congress=congress).select_related("proposer").prefetch_related("cosigners") \
        .order_by("seq")
    for p in qs:
        yield [p.number, p.title, p.proposer.name, p.proposer.election_unit,
               "、".join(d.name for d in sorted(p.cosigners.all(), key=lambda d: (d.election_unit, d.name))),
               p.submitted_on, p.get_state_display(), p.decision_note, p.department, p.handler, p.due_on,
               p.answered_on, p.reply, p.get_rating_display() if p.rating else "", p.rating_note]


@never_cache
@requires("democracy.view")
def proposal_book(request, pk: int):
    """提案汇编: every proposal of the congress with its co-signers, state, department, reply and rating."""
    actor = request.actor
    congress = selectors.congress_get(actor=actor, pk=pk)
    actor.require("export")
    title = _("Proposal book of %(c)s") % {"c": congress.title}
    content = write_xlsx([str(h) for h in BOOK_HEADERS], proposal_book_rows(congress), sheet=_("Proposal book"),
                         notes=[title, _("Made on %(d)s") % {"d": timezone.localdate()}])
    audit.record(actor=actor, action="export", object_type="democracy.congress", object_id=congress.pk,
                 scope_path=congress.org_path,
                 details={"filters": {"proposal_book": congress.title}, "masked": True})
    return xlsx_response(content, export_filename(_("Proposal book"), unit=congress.org))


# --- 厂务公开 / 校务公开 ---------------------------------------------------------------------------------------------

@never_cache
@requires("democracy.view")
def disclosure_list(request):
    actor = request.actor
    form = DisclosureFilterForm(request.GET or None)
    filters = dict(form.cleaned_data) if form.is_bound and form.is_valid() else {}
    cols = [Column(_("Disclosed on"), lambda d: d.disclosed_on, sort="disclosed_on"),
            Column(_("Unit"), lambda d: d.org.name), Column(_("Kind"), lambda d: d.get_kind_display()),
            Column(_("What was disclosed"), lambda d: d.subject), Column(_("Content summary"), lambda d: d.summary),
            Column(_("Channel"), lambda d: d.get_channel_display()), Column(_("Audience"), lambda d: d.audience)]
    page = ListPage(request, selectors.disclosure_list(actor=actor, filters=filters), cols, filter_form=form,
                    default_sort="-disclosed_on", export_name="disclosures", object_type="democracy.disclosure",
                    export_title=_("Disclosure records"))
    actions = [{"label": _("Record a disclosure"), "url": reverse("democracy:disclosure_new")}] \
        if actor.can("democracy.write") else []
    return page.response("core/list.html", {"title": _("Disclosure records (厂务公开 / 校务公开)"),
                                            "page_actions": actions})


@never_cache
@requires("democracy.write")
def disclosure_new(request):
    actor = request.actor
    form = DisclosureForm(request.POST or None, actor=actor, initial={"org": actor.org.code})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.disclosure_create(actor=actor, org=org_get(actor=actor, code=d["org"]), kind=d["kind"],
                                       disclosed_on=d["disclosed_on"], subject=d["subject"], summary=d["summary"],
                                       channel=d["channel"], audience=d["audience"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Disclosure recorded."))
            return redirect("democracy:disclosures")
    return render(request, "democracy/form.html", {
        "title": _("Record a disclosure"), "form": form, "cancel": reverse("democracy:disclosures"),
        "breadcrumbs": [{"label": _("Disclosure records"), "url": reverse("democracy:disclosures")},
                        {"label": _("Record a disclosure")}]}, status=422 if request.method == "POST" else 200)


urlpatterns = [
    path("democracy/congresses/", congress_list, name="congresses"),
    path("democracy/congresses/new/", congress_new, name="congress_new"),
    path("democracy/congresses/<int:pk>/", congress_detail, name="congress_detail"),
    path("democracy/congresses/<int:pk>/rules/", congress_rules, name="congress_rules"),
    path("democracy/congresses/<int:pk>/sessions/new/", session_new, name="session_new"),
    path("democracy/congresses/<int:pk>/delegates/", delegate_list, name="delegates"),
    path("democracy/congresses/<int:pk>/delegates/new/", delegate_new, name="delegate_new"),
    path("democracy/congresses/<int:pk>/delegates/import/", delegate_import, name="delegate_import"),
    path("democracy/congresses/<int:pk>/delegates/import/template/", delegate_import_template,
         name="delegate_import_template"),
    path("democracy/congresses/<int:pk>/proposals/new/", proposal_new, name="proposal_new"),
    path("democracy/congresses/<int:pk>/proposals/book/", proposal_book, name="proposal_book"),
    path("democracy/sessions/<int:pk>/", session_detail, name="session_detail"),
    path("democracy/sessions/<int:pk>/items/", agenda_add, name="agenda_add"),
    path("democracy/agenda/<int:pk>/vote/", agenda_vote, name="agenda_vote"),
    path("democracy/proposals/", proposal_inbox, name="proposals"),
    path("democracy/proposals/<int:pk>/", proposal_detail, name="proposal_detail"),
    path("democracy/proposals/<int:pk>/decide/", proposal_decide, name="proposal_decide"),
    path("democracy/proposals/<int:pk>/assign/", proposal_assign, name="proposal_assign"),
    path("democracy/proposals/<int:pk>/answer/", proposal_answer, name="proposal_answer"),
    path("democracy/proposals/<int:pk>/rate/", proposal_rate, name="proposal_rate"),
    path("democracy/proposals/<int:pk>/reopen/", proposal_reopen, name="proposal_reopen"),
    path("democracy/disclosures/", disclosure_list, name="disclosures"),
    path("democracy/disclosures/new/", disclosure_new, name="disclosure_new"),
]
