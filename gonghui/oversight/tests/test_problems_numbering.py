"""Problem numbers under concurrency: writers numbering at the same time on PostgreSQL never share a number."""

import threading

import pytest
from django.db import connection, connections, transaction

from gonghui.oversight.problems import next_number

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises every writer")
def test_concurrent_writers_get_distinct_numbers():
    got, errors = [], []
    start = threading.Barrier(4)

    def worker():
        try:
            start.wait()
            for _ in range(10):
                with transaction.atomic():
                    got.append(next_number(2031))
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(got) == [f"WT-2031-{n:06d}" for n in range(1, 41)]


def test_numbers_follow_each_other():
    assert [next_number(2032) for _ in range(3)] == ["WT-2032-000001", "WT-2032-000002", "WT-2032-000003"]
