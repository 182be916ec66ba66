import random

import pytest
from django.contrib.auth import get_user_model

from gonghui.core import supervision
from gonghui.core.models import SupervisionItem
from gonghui.demo.supervision import seed_supervision

pytestmark = pytest.mark.django_db


def test_the_demo_supervises_all_but_the_newest(cast):
    get_user_model().objects.filter(pk=cast.city_staff.pk).update(username="city")
    for i in range(5):
        supervision.raise_item(kind="case", object_id=i, key="k", title=f"诉求{i}", holder_org=cast.county_a,
                               due_on=None, url="")
    supervision.raise_item(kind="case", object_id=9, key="k", title="区里的", holder_org=cast.township_a,
                           due_on=None, url="")
    assert seed_supervision(rng=random.Random(1), keep_open=3) == 2
    assert SupervisionItem.objects.filter(handled_at__isnull=False).count() == 2
    assert SupervisionItem.objects.get(title="区里的").handled_at is None  # told to the county, not the city
