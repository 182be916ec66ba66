"""The deletion requests' menu badge: pending requests of the actor's subtree, read from a partial index."""

from django.utils import timezone

from gonghui.core.access import actor_for
from gonghui.privacy.models import DeletionRequest, DeletionStatus
from gonghui.privacy.services import pending_count


def _request(org, code: str, status=DeletionStatus.PENDING) -> DeletionRequest:
    decided = None if status == DeletionStatus.PENDING else timezone.now()
    return DeletionRequest.objects.create(code=code, org=org, org_path=org.path, subject_phone_bidx=f"b{code}",
                                          status=status, decided_at=decided)


def test_the_badge_counts_pending_requests_of_the_subtree_only(cast):
    _request(cast.grassroots_a, "D1")
    _request(cast.grassroots_a, "D2", DeletionStatus.REFUSED)
    _request(cast.county_b, "D3")
    assert pending_count(actor_for(cast.officer_a)) == 1
    assert pending_count(actor_for(cast.grassroots_officer)) == 1
    assert pending_count(actor_for(cast.officer_b)) == 1  # county B's own, not county A's
    assert pending_count(actor_for(cast.system_admin)) is None  # may not handle requests
    DeletionRequest.objects.filter(code="D1").update(status=DeletionStatus.REFUSED, decided_at=timezone.now())
    assert pending_count(actor_for(cast.officer_a)) is None


def test_the_pending_index_holds_only_the_rows_the_badge_counts():
    index = next(i for i in DeletionRequest._meta.indexes if i.name == "privacy_request_pending")
    assert index.fields == ["org_path"] and dict(index.condition.children) == {"status": "pending"}
