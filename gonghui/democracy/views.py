"""Back-office pages of the evaluation polls: list, set up, codes (printed or sent), close, publish, results."""

import io

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
from gonghui.core.spreadsheets import write_xlsx, xlsx_response
from gonghui.core.views import requires
from gonghui.orgs.models import Org

from . import polls, selectors
from .forms import CriteriaForm, DelegatesForm, PollFilterForm, PollForm, PrintForm, PublishForm, default_window
from .models import Electorate, PollState


def _crumbs(*items):
    return [{"label": _("Evaluation polls"), "url": reverse("democracy:polls")}, *({"label": i} for i in items)]


@never_cache
@requires("democracy.view")
def poll_list(request):
    actor = request.actor
    form = PollFilterForm(request.GET or None)
    filters = dict(form.cleaned_data) if form.is_bound and form.is_valid() else {}
    qs = selectors.poll_list(actor=actor, filters=filters)
    cols = [Column(_("Title"), lambda p: p.title, url=lambda p: reverse("democracy:poll_detail", args=[p.pk])),
            Column(_("Kind"), lambda p: p.get_kind_display()), Column(_("Union running it"), lambda p: p.org.name),
            Column(_("Voting closes"), lambda p: timezone.localtime(p.closes_at).strftime("%Y-%m-%d %H:%M")),
            Column(_("State"), lambda p: p.get_state_display()), Column(_("Ballots"), lambda p: p.ballots
                                                                        if p.closed_at else "—")]
    page = ListPage(request, qs, cols, filter_form=form, default_sort="-id", export_name="polls",
                    object_type="democracy.poll", export_title=_("Evaluation polls"))
    actions = [{"label": _("Set up an evaluation poll"), "url": reverse("democracy:poll_new")}] \
        if actor.can("democracy.write") else []
    return page.response("core/list.html", {"title": _("Evaluation polls"), "page_actions": actions})


@never_cache
@requires("democracy.write")
def poll_new(request):
    actor = request.actor
    sets = list(selectors.criteria_sets())
    orgs = list(Org.objects.filter(path__startswith=actor.org.path).order_by("path")[:300])
    opens, closes = default_window()
    form = PollForm(request.POST or None, sets=sets, orgs=orgs,
                    initial={"opens_at": opens, "closes_at": closes, "electorate": Electorate.ON_SITE})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        cs = next(s for s in sets if str(s.pk) == d["criteria_set"])
        eorg = next((o for o in orgs if str(o.pk) == d["electorate_org"]), None)
        try:
            poll = polls.poll_create(actor=actor, org=actor.org, kind=d["kind"], title=d["title"], criteria_set=cs,
                                     subjects=d["subjects"], electorate=d["electorate"], electorate_org=eorg,
                                     electorate_size=d["electorate_size"] or 0, opens_at=d["opens_at"],
                                     closes_at=d["closes_at"], allow_comment=d["allow_comment"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Poll set up. Now print or send the voting codes."))
            return redirect("democracy:poll_detail", pk=poll.pk)
    return render(request, "democracy/form.html", {
        "title": _("Set up an evaluation poll"), "form": form, "cancel": reverse("democracy:polls"),
        "breadcrumbs": _crumbs(_("Set up an evaluation poll"))}, status=422 if request.method == "POST" else 200)


def _poll_page(request, poll, *, print_form=None, publish_form=None, delegates_form=None, status=200):
    actor = request.actor
    can_write = actor.can("democracy.write") and actor.covers(poll.org_path)
    live = poll.state in (PollState.DRAFT, PollState.OPEN) and poll.closes_at > timezone.now()
    return render(request, "democracy/poll.html", {
        "title": poll.title, "p": poll, "subjects": polls.subjects_of(poll), "states": PollState,
        "can_print": can_write and live and poll.electorate == Electorate.ON_SITE,
        "can_send": can_write and live and poll.electorate != Electorate.ON_SITE,
        "can_close": can_write and poll.state in (PollState.DRAFT, PollState.OPEN),
        "can_publish": can_write and poll.state == PollState.CLOSED,
        "print_form": print_form or PrintForm(initial={"count": max(poll.electorate_size - poll.codes_issued, 1)}),
        "publish_form": publish_form or PublishForm(), "delegates_form": delegates_form or DelegatesForm(),
        "tally": polls.tally_view(poll.result),
        "grades": poll.grades(),
        "public_url": request.build_absolute_uri(reverse("portal:vote_result", args=[poll.public_token]))
        if poll.state == PollState.PUBLISHED else "",
        "vote_url": request.build_absolute_uri(reverse("portal:vote")),
        "breadcrumbs": _crumbs(poll.title)}, status=status)


@never_cache
@requires("democracy.view")
def poll_detail(request, pk: int):
    return _poll_page(request, selectors.poll_get(actor=request.actor, pk=pk))


def _qr_png(text: str) -> bytes:
    import segno

    buf = io.BytesIO()
    segno.make(text, error="m").save(buf, kind="png", scale=4, border=2)
    return buf.getvalue()


def codes_sheet(poll, codes: list[str], vote_url: str) -> bytes:
    """The slips to print and cut: per code a QR (the voting page with the code after '#', which the browser never
    sends to the server, so no server log sees it) and the code written out."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet(_("Voting codes")[:31])
    big = book.add_format({"font_size": 14, "bold": True, "valign": "vcenter"})
    small = book.add_format({"font_size": 9, "text_wrap": True, "valign": "vcenter"})
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, 1, 30)
    sheet.set_column(2, 2, 40)
    hint = _("%(t)s — scan the code, or open %(u)s and type it. It works once.") % {"t": poll.title, "u": vote_url}
    for i, code in enumerate(codes):
        sheet.set_row(i, 120)
        sheet.insert_image(i, 0, f"code{i}.png", {"image_data": io.BytesIO(_qr_png(f"{vote_url}#{code}")),
                                                  "object_position": 1})
        sheet.write_string(i, 1, code, big)
        sheet.write_string(i, 2, hint, small)
    book.close()
    return out.getvalue()


@require_POST
@requires("democracy.write")
def codes_print(request, pk: int):
    poll = selectors.poll_get(actor=request.actor, pk=pk)
    form = PrintForm(request.POST)
    if form.is_valid():
        try:
            codes = polls.codes_print(actor=request.actor, poll=poll, count=form.cleaned_data["count"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            content = codes_sheet(poll, codes, request.build_absolute_uri(reverse("portal:vote")))
            return xlsx_response(content, f"投票码-{poll.pk}-{timezone.localdate():%Y%m%d}.xlsx")
    return _poll_page(request, poll, print_form=form, status=422)


@require_POST
@requires("democracy.write")
def codes_send(request, pk: int):
    poll = selectors.poll_get(actor=request.actor, pk=pk)
    delegates = None
    if poll.electorate == Electorate.DELEGATES:
        form = DelegatesForm(request.POST)
        if not form.is_valid():
            return _poll_page(request, poll, delegates_form=form, status=422)
        delegates = form.cleaned_data["id_numbers"]
    try:
        sent = polls.codes_send(actor=request.actor, poll=poll, delegates=delegates)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("%(s)s codes sent; %(n)s voters have no mobile phone on file; %(a)s had one "
                                    "already.") % {"s": sent.sent, "n": sent.no_phone, "a": sent.already})
    return redirect("democracy:poll_detail", pk=pk)


@require_POST
@requires("democracy.write")
def poll_close(request, pk: int):
    poll = selectors.poll_get(actor=request.actor, pk=pk)
    try:
        polls.poll_close(actor=request.actor, poll=poll)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("Voting closed and counted."))
    return redirect("democracy:poll_detail", pk=pk)


@require_POST
@requires("democracy.write")
def poll_publish(request, pk: int):
    poll = selectors.poll_get(actor=request.actor, pk=pk)
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            polls.poll_publish(actor=request.actor, poll=poll, board=form.cleaned_data["board"],
                               days=form.cleaned_data["days"] or 30)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Result published."))
            return redirect("democracy:poll_detail", pk=pk)
    return _poll_page(request, poll, publish_form=form, status=422)


@never_cache
@requires("democracy.view")
def poll_export(request, pk: int):
    """The tally as a spreadsheet: a row per subject and criterion, the count and rate of each grade."""
    poll = selectors.poll_get(actor=request.actor, pk=pk)
    if poll.state not in (PollState.CLOSED, PollState.PUBLISHED):
        messages.error(request, _("The poll is not closed yet: there is no tally."))
        return redirect("democracy:poll_detail", pk=pk)
    r = poll.result
    headers = [_("Subject"), _("Post"), _("Criterion")] + [f"{g}" for g in r["grades"]] + \
        [f"{g}（%）" for g in r["grades"]] + [_("Flagged")]
    rows = ([s["name"], s["role"], c["criterion"], *c["counts"], *c["rates"], _("yes") if c["flag"] else ""]
            for s in r["subjects"] for c in s["criteria"])
    notes = [poll.title, _("%(b)s ballots of %(e)s voters; turnout %(t)s%%; %(v)s.") % {
        "b": r["ballots"], "e": r["electorate"], "t": r["turnout"] if r["turnout"] is not None else "—",
        "v": _("valid") if r["valid"] else _("not valid: turnout below the rule")}]
    return xlsx_response(write_xlsx(headers, rows, sheet=_("Tally"), notes=notes), f"测评结果-{poll.pk}.xlsx")


@never_cache
@requires("democracy.view")
def criteria_list(request):
    actor = request.actor
    form = None
    if actor.can("democracy.settings"):
        form = CriteriaForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            try:
                polls.criteria_set_create(actor=actor, name=d["name"], scale=d["scale"], criteria=d["criteria"])
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Criteria set saved."))
                return redirect("democracy:criteria")
    elif request.method == "POST":
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("democracy.settings")
    return render(request, "democracy/criteria.html", {
        "title": _("Criteria sets"), "sets": selectors.criteria_sets(), "form": form},
        status=422 if request.method == "POST" else 200)
