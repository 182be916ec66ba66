"""Two claims of one worker filed at the same moment cannot both pass the annual cap: the enrolment row is locked
while the subsidy is computed (PostgreSQL; SQLite runs one writer at a time anyway)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from gonghui.aid.models import MutualClaim
from gonghui.aid.testing_mutual import enrolled, file_claim, make_plan
from gonghui.testing import build_cast

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
def test_two_claims_at_once_share_the_cap():
    cast = build_cast()
    plan = make_plan(cast)
    e = enrolled(cast, plan)
    start = threading.Barrier(2)
    results = []

    def file():
        from django.db import connections

        try:
            start.wait()
            results.append(file_claim(cast.grassroots_officer, e, self_paid="9000").subsidy)  # 4000 each alone
        except ValidationError as exc:
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=file) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(str(r) if not isinstance(r, ValidationError) else "refused" for r in results) == \
        ["1000.00", "4000.00"]  # the second one got what the cap left
    assert sum(c.subsidy for c in MutualClaim.objects.all()) == 5000
