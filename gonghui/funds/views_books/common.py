"""What every books page shares: the union and year from the address (404 outside the actor's subtree), the
book's links and breadcrumbs, and the accounts offered in the pickers."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from .. import selectors_books as sel
from ..models import Account, Book


@dataclass
class BookRef:
    org: object
    year: int
    book: Book | None

    @property
    def args(self) -> list:
        return [self.org.code, self.year]

    @property
    def closed(self) -> bool:
        return self.book is not None and self.book.state == Book.State.CLOSED


def book_ref(request, code: str, year: int) -> BookRef:
    actor = request.actor
    org = sel.union_get(actor=actor, code=code)
    return BookRef(org, sel.year_checked(year), sel.book_find(actor=actor, org=org, year=year))


def accounts(request, ref: BookRef) -> list[Account]:
    from ..reports_books import chart_sorted

    return chart_sorted(sel.accounts_for(actor=request.actor, org=ref.org, year=ref.year, book=ref.book))


def resolver(request, ref: BookRef):
    return lambda text: sel.account_pick(actor=request.actor, org=ref.org, year=ref.year, ref=text, book=ref.book)


def crumbs(ref: BookRef, *labels) -> list[dict]:
    return [{"label": _("Books"), "url": reverse("funds:books_home")},
            {"label": _("%(org)s %(year)s") % {"org": ref.org.name, "year": ref.year},
             "url": reverse("funds:book", args=ref.args)},
            *({"label": label, "url": ""} for label in labels)]


def book_links(request, ref: BookRef, here: str = "") -> list[dict]:
    """The book's pages, as the tabs above each of them."""
    actor = request.actor
    items = [("book", _("Vouchers")), ("accounts", _("Chart of accounts")), ("openings", _("Opening balances")),
             ("trial_balance", _("Trial balance")), ("statement", _("Income and expenditure")),
             ("ledger", _("Ledgers")), ("cash_journal", _("Cash journal")), ("bank_journal", _("Bank journal")),
             ("book_close", _("Year-end carry-forward"))]
    out = [{"name": name, "label": label, "url": reverse(f"funds:{name}", args=ref.args), "active": name == here}
           for name, label in items]
    if actor.can("funds.write") and not ref.closed:
        out.insert(1, {"name": "voucher_new", "label": _("Enter a voucher"),
                       "url": reverse("funds:voucher_new", args=ref.args), "active": here == "voucher_new"})
    return out


def base_context(request, ref: BookRef, here: str, title: str, *labels) -> dict:
    return {"title": title, "ref": ref, "org": ref.org, "year": ref.year, "book": ref.book,
            "book_links": book_links(request, ref, here), "breadcrumbs": crumbs(ref, *labels),
            "can_write": request.actor.can("funds.write")}


def voucher_url(voucher, org=None) -> str:
    url = reverse("funds:voucher_detail", args=[(org or voucher.org).code, voucher.year, voucher.number])
    return url if voucher.word == "记" else f"{url}?word={voucher.word}"
