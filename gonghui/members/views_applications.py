"""The union's side of online joining: the applications waiting, and approving or rejecting one."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gonghui.core.forms import DateInput, StyledForm, apply_validation_error
from gonghui.core.identity import mask
from gonghui.core.listing import Column, ListPage
from gonghui.core.views import requires
from gonghui.core.widgets import OrgPickerField
from gonghui.orgs.selectors import org_get

from . import applications, services
from .models import ApplicationStatus


class ApplicationFilterForm(StyledForm):
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False, initial=ApplicationStatus.PENDING,
                               choices=[("", gettext_lazy("All")), *ApplicationStatus.choices])
    q = forms.CharField(label=gettext_lazy("Name or application code"), required=False, max_length=50)
    union = OrgPickerField(label=gettext_lazy("Union"), required=False)


class ApproveForm(StyledForm):
    joined_on = forms.DateField(label=gettext_lazy("Joined on"), widget=DateInput())


class RejectForm(StyledForm):
    reason = forms.CharField(label=gettext_lazy("Reason (the applicant is shown it)"), max_length=200)


def _crumbs(*items):
    return [{"label": _("Join applications"), "url": reverse("members:applications")},
            *({"label": i} for i in items)]


def _columns() -> list[Column]:
    return [
        Column(_("Application code"), lambda a: a.code, url=lambda a: reverse("members:application", args=[a.code])),
        Column(_("Full name"), lambda a: a.name, sort="name"),
        Column(_("Sex"), lambda a: a.get_sex_display()),
        Column(_("ID number"), lambda a: mask(a.id_number, kind="id_number")),
        Column(_("Mobile phone"), lambda a: mask(a.phone, kind="phone")),
        Column(_("Union"), lambda a: a.union.name, sort="org_path"),
        Column(_("Submitted"), lambda a: timezone.localtime(a.submitted_at).strftime("%Y-%m-%d %H:%M"),
               sort="submitted_at"),
        Column(_("Status"), lambda a: a.get_status_display(), sort="status"),
    ]


def _join_link(request, actor) -> dict:
    """The link (for a poster or a QR code) that leads workers to the actor's own union's form."""
    org = actor.org
    if org is not None and org.level in services.MEMBER_UNIT_LEVELS and org.status == "active":
        return {"url": request.build_absolute_uri(reverse("portal:join_union", args=[org.code])), "union": org.name}
    return {"url": request.build_absolute_uri(reverse("portal:join")), "union": ""}


@never_cache
@requires("member.view")
def application_list(request):
    actor = request.actor
    form = ApplicationFilterForm(request.GET or {"status": ApplicationStatus.PENDING}, actor=actor)
    filters = dict(form.cleaned_data) if form.is_valid() else {"status": ApplicationStatus.PENDING}
    if code := filters.pop("union", ""):
        filters["under"] = org_get(actor=actor, code=code)  # the picker checked it is in scope
    qs = applications.application_list(actor=actor, filters=filters)
    page = ListPage(request, qs, _columns(), filter_form=form, default_sort="-submitted_at",
                    export_name="join-applications", object_type="join_application",
                    export_unit=filters.get("under"))
    return page.response("members/applications.html", {
        "title": _("Join applications"), "join_link": _join_link(request, actor),
        "join_link_pattern": request.build_absolute_uri(reverse("portal:join_union", args=["CODE"])),
    })


def _detail(request, application, *, approve_form=None, reject_form=None, status=200):
    actor = request.actor
    can_decide = actor.can("member.write") and application.status == ApplicationStatus.PENDING
    return render(request, "members/application.html", {
        "title": _("Application %(code)s") % {"code": application.code}, "application": application,
        "id_masked": mask(application.id_number, kind="id_number"),
        "phone_masked": mask(application.phone, kind="phone"),
        "can_decide": can_decide,
        "approve_form": approve_form or ApproveForm(initial={"joined_on": timezone.localdate()}),
        "reject_form": reject_form or RejectForm(),
        "breadcrumbs": _crumbs(application.code),
    }, status=status)


@never_cache
@requires("member.view")
def application_detail(request, code: str):
    return _detail(request, applications.application_get(actor=request.actor, code=code))


@never_cache
@require_POST
@requires("member.write")
def application_approve(request, code: str):
    actor = request.actor
    application = applications.application_get(actor=actor, code=code)
    form = ApproveForm(request.POST)
    if form.is_valid():
        try:
            application = applications.application_approve(actor=actor, application=application,
                                                           joined_on=form.cleaned_data["joined_on"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("%(name)s is now a member of %(union)s.") % {
                "name": application.name, "union": application.union.name})
            return redirect("members:application", code=application.code)
    return _detail(request, application, approve_form=form, status=422)


@never_cache
@require_POST
@requires("member.write")
def application_reject(request, code: str):
    actor = request.actor
    application = applications.application_get(actor=actor, code=code)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            application = applications.application_reject(actor=actor, application=application,
                                                          reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The application was rejected; the applicant is told the reason."))
            return redirect("members:application", code=application.code)
    return _detail(request, application, reject_form=form, status=422)


urlpatterns = [
    path("members/applications/", application_list, name="applications"),
    path("members/applications/<str:code>/", application_detail, name="application"),
    path("members/applications/<str:code>/approve/", application_approve, name="application_approve"),
    path("members/applications/<str:code>/reject/", application_reject, name="application_reject"),
]
