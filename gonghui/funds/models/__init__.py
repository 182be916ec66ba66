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
from .budget import (  # noqa: F401
    Audit,
    AuditFinding,
    Budget,
    BudgetAdjustment,
    BudgetLine,
    BudgetReview,
    BudgetState,
    Decision,
    DecisionItem,
    Disclosure,
    FinalAccount,
    FinalAccountState,
    FindingState,
    MeetingKind,
    Supplier,
)
from .income import (  # noqa: F401
    AlertKind,
    Allocation,
    Channel,
    DuesMonth,
    FundReturn,
    PeriodKind,
    ReturnAlert,
    ReturnColor,
    ReturnState,
    ShareTable,
)
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
