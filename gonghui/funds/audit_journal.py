"""Audit labels of the funds actions: journal import."""

from django.utils.translation import gettext_lazy as _

from gonghui.core import import_jobs
from gonghui.core.audit_labels import register, register_group, register_object_type

from .journal.reading import KIND

G = "funds"
register_group(G, _("Union funds"))
register_object_type("funds.book", _("Books"))
register_object_type("funds.budget", _("Budget"))

_IMPORT = {
    "file": _("File"), "year": _("Year"), "vouchers": _("Vouchers"), "lines": _("Voucher lines"),
    "amount": _("Amount"), "accounts_created": _("Sub-accounts created"), "budget_lines": _("Budget lines"),
    "refused": _("Rows refused"),
}
register("funds.journal_import", _("Journal imported into the books"), group=G, object_type="funds.book",
         details=_IMPORT)
register("funds.journal_budget", _("Budget loaded from an imported journal (approved by the importer)"), group=G,
         object_type="funds.budget", details=_IMPORT)
register("funds.journal_cancel", _("Journal import cancelled"), group=G, object_type="import_job",
         details={"file": _("File")})
register("funds.journal_interrupted", _("Journal import interrupted (worker stopped): nothing written"), group=G,
         object_type="import_job", details={"file": _("File")})
register("funds.demo_books", _("Demo books written"), group=G, object_type="funds.book",
         details={"books": _("Books"), "vouchers": _("Vouchers"), "lines": _("Voucher lines")})
# A journal job whose worker stopped has written nothing (one transaction): its uploader uploads the file again.
import_jobs.register(KIND, action="funds.journal_interrupted", message=_(
    "The journal import was interrupted (its background worker stopped); nothing was written. Upload the file "
    "again."))
