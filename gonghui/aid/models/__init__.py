"""Assistance (帮扶): the hardship archive, programs and grants, medical mutual aid, donation drives, recuperation
and check-ups.

The models live in one module per part; this package re-exports them so ``from gonghui.aid.models import X`` works
for all of them.
"""

from .archive import (  # noqa: F401
    OPEN_STATES,
    AnnualReview,
    ArchiveSettings,
    CardState,
    Category,
    Cause,
    EventKind,
    HardshipCard,
    Household,
    HouseholdEvent,
    HouseholdMember,
    HouseholdState,
    LivingStandard,
    Objection,
    ObjectionState,
    Pairing,
    PairVisit,
    Relationship,
)
from .drives import Donation, Drive, DriveState, DriveUnit  # noqa: F401
from .mutual import (  # noqa: F401
    ClaimState,
    MutualClaim,
    MutualEnrolment,
    MutualPlan,
    PlanState,
)
from .programs import (  # noqa: F401
    LIVE_STATES,
    AidVisit,
    BatchState,
    Grant,
    GrantState,
    PaymentBatch,
    Program,
    ProgramKind,
    VisitTarget,
)
from .schemes import (  # noqa: F401
    LIVE_NOMINATIONS,
    Nomination,
    NominationGroup,
    NominationState,
    Quota,
    Scheme,
    SchemeKind,
    Trip,
)
from .stats import AidStat  # noqa: F401
