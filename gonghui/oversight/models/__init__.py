"""Oversight (督办): problem lists and their review, the rectification ledger and closure, dispatch rounds, key
tasks and targets, field visits, inspections and tips.

The models live in one module per part; this package re-exports them so ``from gonghui.oversight.models import X``
works for all of them.
"""

from .measures import (  # noqa: F401
    URGENCY,
    DispatchReport,
    DispatchRound,
    EventKind,
    Measure,
    MeasureColor,
    MeasureEvent,
    MeasureStat,
    MeasureState,
    Meeting,
    Progress,
    RoundState,
    SnailPublication,
)
from .problems import (  # noqa: F401
    Category,
    ConcernKind,
    Decision,
    Department,
    Problem,
    ProblemCounter,
    ProblemReview,
    ProblemReviewer,
    ProblemStat,
    ProblemState,
    Source,
    Stage,
)
from .tasks import KeyTask, Milestone, TargetItem, TargetPlan, TargetState, TaskKind, TaskReport  # noqa: F401
from .visits import (  # noqa: F401
    FieldVisit,
    FindingFate,
    InspectionItem,
    InspectionRound,
    ItemKind,
    ItemState,
    Tip,
    TipFate,
    TipState,
    VisitFinding,
    VisitStat,
    VisitUnit,
)
