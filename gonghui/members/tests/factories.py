"""Valid synthetic people for tests: resident ID numbers with correct GB 11643 check digits."""

import datetime
import itertools

from gonghui.core.access import actor_for
from gonghui.core.identity import id_check_char
from gonghui.members.services import member_add

_serial = itertools.count(1)


def resident_id(*, birth: datetime.date = datetime.date(1990, 5, 17), female: bool = False,
                region: str = "330102") -> str:
    n = next(_serial) % 500
    seq = f"{n:02d}"[-2:] + str((2 if female else 1) + 2 * (n % 4))
    body = f"{region}{birth:%Y%m%d}{seq}"
    return body + id_check_char(body)


def add_member(user, union, *, name="李强", female=False, joined_on=datetime.date(2021, 3, 5), phone="", **fields):
    person = {"id_number": resident_id(female=female), "name": name}
    if phone:
        person["phone"] = phone
    return member_add(actor=actor_for(user), union=union, person=person, joined_on=joined_on, **fields)
