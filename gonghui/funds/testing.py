"""Building books in tests: post a voucher by account codes or paths with sensible defaults."""

import datetime
from decimal import Decimal

from gonghui.core.access import actor_for

from . import books


def post(user, org, *, date=datetime.date(2026, 3, 2), lines, **kwargs):
    """Post a voucher as ``user`` in ``org``'s books. ``lines`` are tuples (account, summary, debit, credit) or
    dicts with the LineIn fields and ``account`` a code or path."""
    book = books.book_open(org=org, year=date.year)
    built = []
    for line in lines:
        names = ("account", "summary", "debit", "credit")
        data = dict(line) if isinstance(line, dict) else dict(zip(names, line, strict=False))
        ref = data.pop("account")
        account = books.account_find(book, ref)
        assert account is not None, ref
        data.setdefault("debit", Decimal("0"))
        data.setdefault("credit", Decimal("0"))
        built.append(books.LineIn(account=account, **{k: (Decimal(str(v)) if k in ("debit", "credit") else v)
                                                       for k, v in data.items()}))
    return books.voucher_post(actor=actor_for(user), org=org, date=date, lines=built, **kwargs)


def expense(user, org, amount, *, account="50101", summary="职工教育培训费", date=datetime.date(2026, 3, 2),
            paid_from="102", **line):
    """A two-line expense voucher: ``account`` debited, the bank (or cash, ``paid_from="101"``) credited."""
    return post(user, org, date=date, lines=[
        {"account": account, "summary": summary, "debit": amount, **line},
        {"account": paid_from, "summary": summary, "credit": amount}])
