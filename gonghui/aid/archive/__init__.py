"""The hardship archive's services (困难职工建档): 低保 standards and thresholds, the household file and its category,
the workflow application → review (审核) → public notice (公示, objections hold it) → filed (建档, by the daily
tick), the annual review (动态管理), exit (解困), 一帮一 pairs and their visits, and the 特困职工优待证.

The category rule (shown on the household page):
per-capita income = (the members' monthly incomes − the monthly rigid costs of illness, disability and schooling)
÷ the number of members; 深度困难 below ``deep_ratio`` × 低保, 相对困难 below ``relative_ratio`` × 低保, 意外致困 when
it is not below those but the loss from an accident or disaster not covered by compensation, insurance and aid,
spread over 12 months, brings it below ``relative_ratio`` × 低保; otherwise not eligible. "Below" is strict:
exactly 1× 低保 is 相对困难, exactly 2× is not eligible.

Every write is one transaction with one audit event and a line on the household's timeline; the timeline and the
audit details never carry income or illness.
"""

from ..models import ArchiveSettings  # noqa: F401  (views read archive.ArchiveSettings)
from .category import (  # noqa: F401
    Assessment,
    assess,
    assess_household,
)
from .common import (  # noqa: F401
    CENT,
    EDITABLE,
    MAX_AMOUNT,
    MAX_MEMBERS,
    NOTICE_KIND,
    amount_of,
    mask_name,
    money,
    today,
)
from .files import (  # noqa: F401
    MemberInput,
    evidence_count,
    household_apply,
    household_create,
    household_review,
    household_update,
)
from .objections import (  # noqa: F401
    objection_from_board,
    objection_lodge,
    objection_resolve,
)
from .review import (  # noqa: F401
    household_annual_review,
    household_exit,
)
from .standards import (  # noqa: F401
    settings_for,
    settings_update,
    standard_for,
    standard_set,
)
from .support import (  # noqa: F401
    card_issue,
    card_withdraw,
    pair_visit_add,
    pairing_create,
)
from .tick import (  # noqa: F401
    archive_tick,
)
