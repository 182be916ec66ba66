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
