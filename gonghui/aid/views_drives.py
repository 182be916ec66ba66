"""Pages of the donation drives: list, open one, its page with the units and totals, the unit entry form (made for
a phone), named donations, the unit import, closing, the public board, and the units' xlsx export."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gonghui.core.forms import apply_validation_error, run_action
from gonghui.core.listing import Column, ListPage
from gonghui.core.spreadsheets import export_filename, write_xlsx, xlsx_response
from gonghui.core.views import requires
from gonghui.orgs.models import Org

from . import board_drives, drives, import_drives, selectors_drives
from .archive import mask_name
from .forms_drives import DonationForm, DriveFilterForm, DriveForm, ImportForm, PublishForm, UnitForm
from .models import DriveState

IMPORT_MAX_BYTES = 5 * 1024 * 1024


def _crumbs(*items):
    return [{"label": _("Donation drives"), "url": reverse("aid:drives")}, *items]


@never_cache
@requires("aid.view")
def drive_list(request):
    actor = request.actor
    form = DriveFilterForm(request.GET or None)
    filters = dict(form.cleaned_data) if form.is_bound and form.is_valid() else {}
    qs = selectors_drives.drive_list(actor=actor, filters=filters)
    cols = [Column(_("Drive name"), lambda d: d.name, url=lambda d: reverse("aid:drive_detail", args=[d.pk])),
            Column(_("Organising union"), lambda d: d.org.name), Column(_("Donation day"), lambda d: d.day,
                                                                        sort="day"),
            Column(_("Units taking part"), lambda d: d.units), Column(_("Donors"), lambda d: d.donors),
            Column(_("Total donated"), lambda d: d.total, sort="total"),
            Column(_("State"), lambda d: d.get_state_display())]
    page = ListPage(request, qs, cols, filter_form=form, default_sort="-day", export_name="aid_drives",
                    object_type="aid.drive", export_title=_("Donation drives"))
    actions = [{"label": _("Open a donation drive"), "url": reverse("aid:drive_new")}] \
        if actor.can("aid.write") else []
    return page.response("core/list.html", {"title": _("Donation drives"), "page_actions": actions})


@never_cache
@requires("aid.write")
def drive_new(request):
    actor = request.actor
    orgs = list(Org.objects.filter(path__startswith=actor.org.path, status="active").order_by("path")[:300])
    form = DriveForm(request.POST or None, orgs=orgs, initial={"org": actor.org.pk, "day": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        org = next(o for o in orgs if str(o.pk) == d["org"])
        try:
            drive = drives.drive_create(actor=actor, org=org, name=d["name"], day=d["day"],
                                        period_key=d["period_key"], note=d["note"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Donation drive opened."))
            return redirect("aid:drive_detail", pk=drive.pk)
    return render(request, "aid/form.html", {
        "title": _("Open a donation drive"), "form": form, "cancel": reverse("aid:drives"), "narrow": True,
        "breadcrumbs": _crumbs({"label": _("Open a donation drive")})},
        status=422 if request.method == "POST" else 200)


def _donor(gift) -> str:
    return mask_name(gift.person.name) if gift.person_id else mask_name(gift.donor_name)


@never_cache
@requires("aid.view")
def drive_detail(request, pk: int):
    actor = request.actor
    drive = selectors_drives.drive_get(actor=actor, pk=pk)
    is_open = drive.state == DriveState.OPEN
    organiser = actor.covers(drive.org_path)
    can_review = actor.can("aid.review") and organiser
    return render(request, "aid/drive.html", {
        "title": drive.name, "d": drive, "is_open": is_open,
        "units": selectors_drives.unit_list(actor=actor, drive=drive)[:2000],
        "gifts": [(g, _donor(g)) for g in selectors_drives.donation_list(actor=actor, drive=drive)[:200]],
        "can_enter": is_open and actor.can("aid.write") and drives.entry_orgs(actor, drive).exists(),
        "can_close": is_open and actor.can("aid.write") and organiser,
        "can_publish": can_review, "publish_form": PublishForm() if can_review else None,
        "publications": list(board_drives.drive_publications(drive)) if can_review else [],
        "can_export": actor.can("export"),
        "breadcrumbs": _crumbs({"label": drive.name})})


def _entry_orgs(actor, drive):
    return list(drives.entry_orgs(actor, drive).order_by("path")[:300])


@never_cache
@requires("aid.write")
def unit_entry(request, pk: int):
    """What a unit gave: on a phone, one short form."""
    actor = request.actor
    drive = selectors_drives.drive_get(actor=actor, pk=pk)
    orgs = _entry_orgs(actor, drive)
    initial = {"org": actor.org.pk if any(o.pk == actor.org.pk for o in orgs) else None}
    form = UnitForm(request.POST or None, orgs=orgs, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        org = next(o for o in orgs if str(o.pk) == d["org"])
        try:
            drives.unit_record(actor=actor, drive=drive, org=org, donors=d["donors"], amount=d["amount"],
                               receipt_no=d["receipt_no"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Recorded: %(org)s, %(n)s donors, %(a)s yuan.") % {
                "org": org.name, "n": d["donors"], "a": d["amount"]})
            return redirect("aid:drive_detail", pk=pk)
    return render(request, "aid/form.html", {
        "title": _("Record a unit's donations"), "form": form, "narrow": True,
        "cancel": reverse("aid:drive_detail", args=[pk]),
        "breadcrumbs": _crumbs({"label": drive.name, "url": reverse("aid:drive_detail", args=[pk])},
                               {"label": _("Record a unit's donations")})},
        status=422 if request.method == "POST" else 200)


@never_cache
@requires("aid.write")
def donation_new(request, pk: int):
    actor = request.actor
    drive = selectors_drives.drive_get(actor=actor, pk=pk)
    orgs = _entry_orgs(actor, drive)
    form = DonationForm(request.POST or None, orgs=orgs)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        org = next(o for o in orgs if str(o.pk) == d["org"])
        person = form.person()
        if d["id_number"] and person is None:
            form.add_error("id_number", _("No member of the registry has this ID number."))
        else:
            try:
                drives.donation_add(actor=actor, drive=drive, org=org, person=person, donor_name=d["donor_name"],
                                    amount=d["amount"])
            except ValidationError as exc:
                if hasattr(exc, "error_dict") and "person" in exc.error_dict:
                    exc.error_dict["id_number"] = exc.error_dict.pop("person")
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Donation recorded."))
                return redirect("aid:drive_detail", pk=pk)
    return render(request, "aid/form.html", {
        "title": _("Record a named donation"), "form": form, "narrow": True,
        "cancel": reverse("aid:drive_detail", args=[pk]),
        "breadcrumbs": _crumbs({"label": drive.name, "url": reverse("aid:drive_detail", args=[pk])},
                               {"label": _("Record a named donation")})},
        status=422 if request.method == "POST" else 200)


@require_POST
@requires("aid.write")
def drive_close(request, pk: int):
    drive = selectors_drives.drive_get(actor=request.actor, pk=pk)
    run_action(request, lambda: drives.drive_close(actor=request.actor, drive=drive),
               success=_("Donation drive closed."))
    return redirect("aid:drive_detail", pk=pk)


@never_cache
@requires("aid.view")
def drive_export(request, pk: int):
    actor = request.actor
    actor.require("export")
    drive = selectors_drives.drive_get(actor=actor, pk=pk)
    rows = ((u.org.name, u.org.code, u.donors, u.amount, u.receipt_no)
            for u in selectors_drives.unit_list(actor=actor, drive=drive).iterator(chunk_size=2000))
    content = write_xlsx([_("Unit"), _("Unit code"), _("Donors"), _("Amount"), _("Receipt number")], rows,
                         sheet=_("Units"), notes=[_("%(d)s (%(day)s): %(u)s units, %(n)s donors, %(t)s yuan.") % {
                             "d": drive.name, "day": f"{drive.day:%Y-%m-%d}", "u": drive.units,
                             "n": drive.donors, "t": drive.total}])
    return xlsx_response(content, export_filename(drive.name, unit=drive.org))


@never_cache
@requires("aid.write")
def drive_import(request, pk: int):
    """Upload the units; a file with any refused row writes nothing and lists every problem (with a report)."""
    actor = request.actor
    drive = selectors_drives.drive_get(actor=actor, pk=pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    title = _("Import the units from a spreadsheet")
    ctx = {"title": title, "d": drive, "columns": list(import_drives.NAMES.values()),
           "breadcrumbs": _crumbs({"label": drive.name, "url": reverse("aid:drive_detail", args=[pk])},
                                  {"label": title})}
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        if f.size > IMPORT_MAX_BYTES:
            form.add_error("file", _("The file is larger than 5 MB."))
        else:
            data = f.read()
            read = import_drives.unit_rows(actor=actor, drive=drive, data=data, filename=f.name)
            if request.POST.get("report"):
                return import_drives.report_response(read)
            if not read.problems:
                try:
                    n = import_drives.unit_import(actor=actor, drive=drive, data=data, filename=f.name)
                except ValidationError as exc:
                    ctx["problems"] = exc.messages
                else:
                    messages.success(request, _("%(n)s units imported.") % {"n": n})
                    return redirect("aid:drive_detail", pk=pk)
            else:
                ctx["problems"] = read.problems
    ctx["form"] = form
    return render(request, "aid/drive_import.html", ctx, status=422 if request.method == "POST" else 200)


@never_cache
@requires("aid.write")
def drive_import_template(request, pk: int):
    drive = selectors_drives.drive_get(actor=request.actor, pk=pk)
    return xlsx_response(import_drives.template(), f"{drive.name}-导入模板.xlsx")


@require_POST
@requires("aid.review")
def drive_publish(request, pk: int):
    drive = selectors_drives.drive_get(actor=request.actor, pk=pk)
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(m for errs in form.errors.values() for m in errs))
        return redirect("aid:drive_detail", pk=pk)
    run_action(request, lambda: board_drives.totals_publish(
        actor=request.actor, drive=drive, days=form.cleaned_data["days"]),
        success=_("The drive's totals are on the public board."))
    return redirect("aid:drive_detail", pk=pk)


@require_POST
@requires("aid.review")
def drive_withdraw(request, pk: int, pub: int):
    from gonghui.portal.models import Publication

    drive = selectors_drives.drive_get(actor=request.actor, pk=pk)
    publication = get_object_or_404(Publication, pk=pub, kind=board_drives.KIND, object_id=drive.pk,
                                    org_path__startswith=request.actor.org.path)
    run_action(request, lambda: board_drives.totals_withdraw(
        actor=request.actor, drive=drive, publication=publication, reason=request.POST.get("reason", "")),
        success=_("Withdrawn from the public board."))
    return redirect("aid:drive_detail", pk=pk)
