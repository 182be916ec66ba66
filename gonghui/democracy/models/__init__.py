from .polls import (  # noqa: F401
    Ballot,
    CriteriaSet,
    GRADES,
    Electorate,
    Poll,
    PollKind,
    PollRecipient,
    PollState,
    Scale,
    Subject,
    VotingCode,
)
