"""The schema declares, for every field holding personal data, why it is kept and for how long; sensitive data
(ID numbers, phones, income, health, addresses) is encrypted."""

import datetime

import pytest
from django.db import models
from django.test.utils import isolate_apps

from gonghui.casework.models import Case
from gonghui.core.fields import EncryptedTextField
from gonghui.members.models import JoinApplication, Person
from gonghui.orgs.models import Org
from gonghui.privacy import inventory


def test_every_personal_field_of_every_gonghui_model_is_declared():
    assert inventory.gonghui_models()
    assert inventory.problems() == []


def test_the_inventory_lists_the_known_personal_fields():
    rows = {r["field"]: r for r in inventory.inventory()}
    for label in ("members.Person.id_number", "members.Person.phone", "members.JoinApplication.id_number",
                  "casework.Case.phone", "orgs.Org.contact_phone"):
        assert rows[label]["protection"] == "encrypted" and rows[label]["purpose"] and rows[label]["retention"]
    assert rows["members.Person.birth_date"]["protection"].startswith("clear")
    assert "members.Person.id_number_bidx" not in rows  # derived from the encrypted field


@isolate_apps("gonghui.privacy")
def test_a_new_undeclared_personal_field_fails():
    class Worker(models.Model):
        health_note = models.TextField()
        home_address = EncryptedTextField(kind="address", purpose="", retention="Five years after leaving")
        income = EncryptedTextField(kind="income", purpose="Assistance checks", retention="Three years after")
        birthday = models.DateField(null=True)
        mobile = models.CharField(max_length=11)
        shoe_size = models.PositiveSmallIntegerField(default=0)

        class Meta:
            app_label = "privacy"

        def __str__(self):
            return "worker"

    found = inventory.problems([Worker])
    assert len(found) == 4, found
    assert any(p.startswith("privacy.Worker.health_note: holds sensitive personal data in clear") for p in found)
    assert any(p.startswith("privacy.Worker.mobile: holds sensitive") for p in found)
    assert any(p.startswith("privacy.Worker.home_address: encrypted, but declares no purpose") for p in found)
    assert any(p.startswith("privacy.Worker.birthday: holds personal data with no declared purpose") for p in found)
    # Declared in clear: accepted for personal data, refused for sensitive data.
    declared = {"privacy.Worker.birthday": inventory.Declared("Age figures", "While a member", "counted"),
                "privacy.Worker.mobile": inventory.Declared("Calls", "While a member", "dialled")}
    found = inventory.problems([Worker], clear=declared)
    assert not any("birthday" in p for p in found) and any("mobile" in p for p in found)


def test_a_declaration_for_a_field_that_does_not_exist_is_reported(monkeypatch):
    monkeypatch.setitem(inventory.CLEAR, "members.Person.nickname", inventory.Declared("x", "y", "z"))
    assert inventory.problems() == ["members.Person.nickname: declared in CLEAR but no such field"]


@pytest.mark.parametrize(("text", "months"), [
    ("One year after the decision, then anonymised", 12),
    ("Three years after the case is closed, then anonymised", 36),
    ("While a member and 5 years after leaving the union, then anonymised", 60),
    ("18 months after the last contact", 18),
    ("While the person is the union's contact; replaced when the contact changes", None),
])
def test_retention_periods_are_read_from_the_declared_text(text, months):
    assert inventory.months_in(text) == months


def test_each_swept_model_declares_a_period():
    assert inventory.retention_months(Person) == 60
    assert inventory.retention_months(JoinApplication) == 12
    assert inventory.retention_months(Case) == 36
    assert inventory.retention_months(Org) is None  # contacts are replaced, not expired
    assert inventory.months_before(datetime.date(2026, 3, 31), 1) == datetime.date(2026, 2, 28)
    assert inventory.months_before(datetime.date(2026, 1, 15), 60) == datetime.date(2021, 1, 15)


def test_a_field_declared_not_personal_must_exist(monkeypatch):
    monkeypatch.setitem(inventory.NOT_PERSONAL, "funds.Disclosure.salary", "a union's figure")
    assert inventory.problems() == ["funds.Disclosure.salary: declared not personal but no such field"]
