"""Pages of the grants in bulk, reached from the program page: 送温暖 from the hardship archive (a confirmation
with the number of filed households, then the counts and the workers to link to the registry), and approve all
(a confirmation with the count and the sum)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from gonghui.core.views import requires

from . import rules, selectors_programs, warmth
from .archive import mask_name


def _crumbs(program, label):
    return [{"label": _("Assistance programs"), "url": reverse("aid:programs")},
            {"label": str(program), "url": reverse("aid:program_detail", args=[program.pk])}, {"label": label}]


def archive_unit(actor, program):
    """The subtree a batch from the archive takes: the paying union's when the actor covers it, else the actor's."""
    return program.org if actor.covers(program.org_path) else actor.org


def can_from_archive(actor, program) -> bool:
    return actor.can("aid.write") and rules.archive_judgeable(program.rules or rules.defaults_for(program.kind))


@never_cache
@requires("aid.write")
def from_archive(request, pk: int):
    actor = request.actor
    program = selectors_programs.program_get(actor=actor, pk=pk)
    org = archive_unit(actor, program)
    title = _("Grants from the hardship archive")
    context = {"title": title, "p": program, "org": org, "breadcrumbs": _crumbs(program, title),
               "judgeable": can_from_archive(actor, program), "rules_text": rules.describe(program.rules)}
    status = 200
    if request.method == "POST" and context["judgeable"]:
        try:
            result = warmth.grants_from_archive(actor=actor, program=program, org=org)
        except ValidationError as exc:
            context["error"], status = "；".join(exc.messages), 422
        else:
            context["result"] = result
            context["missing"] = [(h, mask_name(h.name)) for h in warmth.missing_people(actor=actor, result=result)]
            return render(request, "aid/from_archive.html", context)
    context["count"] = warmth.from_archive_count(actor=actor, program=program, org=org)
    return render(request, "aid/from_archive.html", context, status=status)


@never_cache
@requires("aid.review")
def approve_all(request, pk: int):
    actor = request.actor
    program = selectors_programs.program_get(actor=actor, pk=pk)
    title = _("Approve all grants awaiting approval")
    context = {"title": title, "p": program, "breadcrumbs": _crumbs(program, title)}
    status = 200
    if request.method == "POST":
        try:
            n = warmth.grants_approve_many(actor=actor, program=program)
        except ValidationError as exc:
            context["error"], status = "；".join(exc.messages), 422
        else:
            messages.success(request, _("%(n)s grants approved.") % {"n": n})
            return redirect("aid:program_detail", pk=pk)
    context["pending"] = warmth.approve_all_preview(actor=actor, program=program)
    program.refresh_from_db()
    context["left"] = program.budget - program.approved_total
    return render(request, "aid/approve_all.html", context, status=status)
