"""What the union page shows of its funds (registered with core.profile): this year's income and expenditure in
its own books, the money in its bank account, and a link to the books."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.profile import register_org_section

from . import chart as charts
from . import reports_books
from .models import Book


def union_funds(*, actor, org):
    if not actor.can("funds.view"):
        return None
    year = timezone.localdate().year
    book = Book.objects.filter(org=org, year=year).first()
    st = reports_books.statement(book, year=year, org=org)
    return {"year": year, "income": st.income_total, "expense": st.expense_total,
            "bank": reports_books.account_balance(book, charts.BANK), "has_book": book is not None,
            "url": reverse("funds:book", args=[org.code, year])}


register_org_section("funds", _("Funds"), 50, union_funds, "funds/books_section.html")
