"""Union funds (经费): each union's books, budgets and collective decisions, income and returns, the rule engine.

The models live in one module per part; this package re-exports them so ``from gonghui.funds.models import X``
works for all of them.
"""

from .books import (  # noqa: F401
    Account,
    AccountKind,
    Book,
    ChartVersion,
    OpeningBalance,
    PayMethod,
    Voucher,
    VoucherLine,
    VoucherSource,
)
from .budget import Budget, BudgetLine, BudgetState, Decision, DecisionItem, MeetingKind, Supplier  # noqa: F401
from .income import FundReturn, ReturnState  # noqa: F401
from .rules import (  # noqa: F401
    Alert,
    AlertEvent,
    AlertLine,
    AlertState,
    CustomRule,
    HolidayGiftCap,
    RuleKey,
    RuleSettings,
    ScanMark,
)
