"""Pages of the grants in bulk, reached from the program page: 送温暖 from the hardship archive (a confirmation
with the number of filed households, then the counts and the workers to link to the registry), and approve all
(a confirmation with the count and the sum), and the import of grants from a spreadsheet."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gonghui.core.forms import run_action
from gonghui.core.import_page import MAX_BYTES, CheckedImport, checked_import
from gonghui.core.views import requires

from . import board_grants, import_grants, rules, selectors_programs, warmth
from .archive import mask_name
from .forms_warmth import AccountForm, GrantImportForm, PublishForm, WithdrawForm


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


# --- import from a spreadsheet (check, then confirm) -----------------------------------------------------------

IMPORT_SESSION_KEY = "aid.grant_import"
IMPORT_MAX_BYTES = MAX_BYTES


def _too_big():
    return _("The file is larger than 2 MB: split it.")


@never_cache
@requires("aid.write")
def grant_import(request, pk: int):
    """Upload the grants, see every row checked, then confirm (``core.import_page``)."""
    actor = request.actor
    program = selectors_programs.program_get(actor=actor, pk=pk)
    title = _("Import grants from a spreadsheet")

    def shown(read):
        checked = [(mask_name(item["person"].name), item["org"].name, item["amount"]) for _l, item in read.rows]
        return {"checked": checked[:500], "count": len(checked), "total": read.total}

    return checked_import(request, CheckedImport(
        session_key=IMPORT_SESSION_KEY, template="aid/grant_import.html", form_class=GrantImportForm,
        context={"title": title, "p": program, "breadcrumbs": _crumbs(program, title),
                 "columns": [import_grants.NAMES[c] for c in import_grants.columns_for(program)]},
        rows=lambda data, name: import_grants.grant_rows(actor=actor, program=program, data=data, filename=name),
        shown=shown, report=import_grants.report_response,
        write=lambda data, name: import_grants.grant_import(actor=actor, program=program, data=data, filename=name),
        done=lambda n: _("%(n)s grants imported, awaiting approval.") % {"n": n},
        success_url=reverse("aid:program_detail", args=[pk]), retry_url=reverse("aid:grant_import", args=[pk]),
        bound={"program": program.pk}))


@never_cache
@requires("aid.write")
def grant_import_template(request, pk: int):
    from gonghui.core.spreadsheets import xlsx_response

    program = selectors_programs.program_get(actor=request.actor, pk=pk)
    return xlsx_response(import_grants.template(program), f"{program.name}-{program.period_key}-导入模板.xlsx")


# --- the grants on the public board ----------------------------------------------------------------------------

def board_context(actor, program) -> dict:
    """The program page's board card: the current publications and, for a reviewer, the forms."""
    can = actor.can("aid.review") and actor.covers(program.org_path)
    return {"can_publish": can, "publish_form": PublishForm() if can else None,
            "withdraw_form": WithdrawForm() if can else None,
            "publications": list(board_grants.program_publications(program)) if can else []}


@require_POST
@requires("aid.review")
def grants_publish(request, pk: int):
    program = selectors_programs.program_get(actor=request.actor, pk=pk)
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(m for errs in form.errors.values() for m in errs))
        return redirect("aid:program_detail", pk=pk)
    run_action(request, lambda: board_grants.grants_publish(
        actor=request.actor, program=program, days=form.cleaned_data["days"],
        include_approved=form.cleaned_data["include_approved"]),
        success=_("The grants are on the public board."))
    return redirect("aid:program_detail", pk=pk)


@require_POST
@requires("aid.review")
def grants_withdraw(request, pk: int, pub: int):
    from django.shortcuts import get_object_or_404

    actor = request.actor
    program = selectors_programs.program_get(actor=actor, pk=pk)
    publication = get_object_or_404(board_grants.Publication, pk=pub, kind=board_grants.KIND, object_id=program.pk,
                                    org_path__startswith=actor.org.path)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for withdrawing."))
        return redirect("aid:program_detail", pk=pk)
    run_action(request, lambda: board_grants.grants_withdraw(
        actor=actor, program=program, publication=publication, reason=form.cleaned_data["reason"]),
        success=_("Withdrawn from the public board."))
    return redirect("aid:program_detail", pk=pk)


# --- the bank account of a grant ---------------------------------------------------------------------------------

def account_context(actor, grant, form=None) -> dict:
    """The grant page's account line (masked) and, for the union's staff before the batch, the form to set it."""
    from gonghui.core.identity import mask

    can = (actor.can("aid.write") and actor.covers(grant.org_path) and not grant.batch_id
           and grant.state in ("applied", "approved"))
    return {"account_masked": mask(grant.bank_account, kind="bank_account") if grant.bank_account else "",
            "account_form": (form or AccountForm()) if can else None}


@require_POST
@requires("aid.write")
def grant_account(request, pk: int):
    from .views_programs import _grant_page

    grant = selectors_programs.grant_get(actor=request.actor, pk=pk)
    form = AccountForm(request.POST)
    if form.is_valid():
        try:
            warmth.grant_set_account(actor=request.actor, grant=grant, bank_account=form.cleaned_data["bank_account"])
        except ValidationError as exc:
            from gonghui.core.forms import apply_validation_error

            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Bank account saved."))
            return redirect("aid:grant_detail", pk=pk)
    return _grant_page(request, grant, account_form=form, status=422)
