from .polls import (  # noqa: F401
    GRADES,
    Ballot,
    CriteriaSet,
    Electorate,
    Poll,
    PollKind,
    PollRecipient,
    PollState,
    Scale,
    Subject,
    VotingCode,
)
from .surveys import (  # noqa: F401
    Question,
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyResponse,
    SurveyState,
)
