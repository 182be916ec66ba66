"""The working-day calendar screens: see each year's arrangement, enter next year's when it is published."""

import calendar as pycal

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import calendar_services, workdays
from .forms import StyledForm, apply_validation_error
from .models import HolidayDay, HolidayYear
from .spreadsheets import read_rows
from .views import requires


class ArrangementForm(StyledForm):
    text = forms.CharField(
        label=gettext_lazy("Arrangement, one line per day or range"), required=False,
        widget=forms.Textarea(attrs={"rows": 14, "class": "font-monospace"}),
        help_text=gettext_lazy("For example: 2027-01-01 休 元旦 / 2027-02-06~2027-02-12 休 春节 / "
                               "2027-02-14 班 春节调休"),
    )
    file = forms.FileField(label=gettext_lazy("Or a spreadsheet with columns 日期, 类型, 名称"), required=False)
    notice = forms.CharField(label=gettext_lazy("State Council notice"), max_length=200, required=False)


@requires("calendar.view")
def calendar_years(request):
    years = HolidayYear.objects.all()
    missing = workdays.missing_years(upcoming=1)
    return render(request, "core/calendar_years.html", {
        "title": _("Working-day calendar"), "years": years, "missing": missing,
        "can_manage": request.actor.can("calendar.manage"),
    })


def _months(year: int, days: dict) -> list[dict]:
    cal = pycal.Calendar(firstweekday=0)
    months = []
    for month in range(1, 13):
        weeks = []
        for week in cal.monthdatescalendar(year, month):
            cells = []
            for d in week:
                if d.month != month:
                    cells.append(None)
                    continue
                entry = days.get(d)
                cells.append({"day": d.day, "date": d, "kind": ("makeup" if entry.is_workday else "holiday")
                              if entry else ("weekend" if d.weekday() >= 5 else ""), "name": entry.name if entry
                              else ""})
            weeks.append(cells)
        months.append({"month": month, "weeks": weeks})
    return months


@requires("calendar.view")
def calendar_year(request, year: int):
    if not 1990 <= year <= 2100:
        raise Http404
    days = {d.date: d for d in HolidayDay.objects.filter(date__year=year)}
    published = HolidayYear.objects.filter(year=year).first()
    return render(request, "core/calendar_year.html", {
        "title": _("Working days in %(y)s") % {"y": year}, "year": year, "published": published,
        "months": _months(year, days), "exceptions": sorted(days.values(), key=lambda d: d.date),
        "can_manage": request.actor.can("calendar.manage"),
        "breadcrumbs": [{"label": _("Working-day calendar"), "url": reverse("core:calendar")}, {"label": str(year)}],
    })


def _as_text(year: int) -> str:
    return "\n".join(f"{d.date.isoformat()} {'班' if d.is_workday else '休'} {d.name}".rstrip()
                     for d in HolidayDay.objects.filter(date__year=year).order_by("date"))


@requires("calendar.manage")
def calendar_edit(request, year: int):
    if not 1990 <= year <= 2100:
        raise Http404
    existing = HolidayYear.objects.filter(year=year).first()
    form = ArrangementForm(request.POST or None, request.FILES or None,
                           initial={"text": _as_text(year), "notice": existing.notice if existing else ""})
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload:
                days = calendar_services.parse_arrangement_rows(year, read_rows(upload.read(), upload.name))
                source = HolidayYear.Source.SPREADSHEET
            else:
                days = calendar_services.parse_arrangement_text(year, form.cleaned_data["text"])
                source = HolidayYear.Source.MANUAL
            calendar_services.holiday_year_set(actor=request.actor, year=year, days=days, source=source,
                                               notice=form.cleaned_data["notice"])
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                apply_validation_error(form, exc)
            else:
                form.add_error("file" if upload else "text", exc)
        else:
            messages.success(request, _("The arrangement for %(y)s is saved; deadlines in %(y)s are no longer "
                                        "provisional.") % {"y": year})
            return redirect("core:calendar_year", year=year)
    return render(request, "core/form_page.html", {
        "title": _("Holiday arrangement for %(y)s") % {"y": year}, "form": form,
        "intro": _("Enter the State Council's arrangement: holidays (休) and weekend days made working days (班). "
                   "Saving replaces the whole year."),
        "cancel_url": reverse("core:calendar"),
        "breadcrumbs": [{"label": _("Working-day calendar"), "url": reverse("core:calendar")},
                        {"label": str(year)}],
    })

