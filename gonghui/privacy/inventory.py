"""The personal-data inventory, read from the schema (PIPL art. 51: know what is held, why and for how long).

Every model field of the gonghui apps is classified:

* **sensitive** (ID numbers, phones, income, health, addresses, bank accounts): must be an
  ``EncryptedTextField`` declaring its purpose and retention. Its blind-index column is derived from it and
  needs nothing more.
* **personal** (names, birth dates, ethnicity, political status, IP addresses, free text about a worker...):
  either encrypted as above, or listed in ``CLEAR`` below with its purpose, retention and why it is kept in clear.

A field is taken for personal data by its name (``SENSITIVE_NAMES``, ``PERSONAL_NAMES``) or by being listed here.
``problems()`` names every field that breaks these rules; a schema test keeps it empty, so a new field that holds
personal data without a declared purpose and retention fails the suite.
"""

import datetime
import re
from dataclasses import dataclass

from django.apps import apps

from gonghui.core.fields import EncryptedTextField

SENSITIVE_NAMES = re.compile(
    r"(?:^|_)(?:id_?number|id_?no|id_?card|identity_?number|passport|phone|mobile|tel|telephone|income|salary|"
    r"health|illness|disease|medical|diagnosis|disability|address|bank_?account|bank_?card)(?:$|_)")
PERSONAL_NAMES = re.compile(
    r"(?:^|_)(?:birth|birthday|ethnic|ethnicity|nation|political|religion|worker_name|contact_name|first_name|"
    r"last_name|display_name|real_name|email|ip|ip_address|workplace)(?:$|_)")


@dataclass(frozen=True)
class Declared:
    purpose: str
    retention: str
    why_clear: str  # why the field is not encrypted (queried, counted, or a derived value)
    derived: bool = False  # a keyed hash or a few digits of a number, which cannot give the number back


_MEMBER_RET = "While a member and 5 years after leaving the union, then anonymised"
_APP_RET = "One year after the decision, then anonymised"
_CASE_RET = "Three years after the case is closed, then anonymised"
_STAFF = Declared("Staff accounts: signing in and naming who acted in the audit trail",
                  "While the account exists; accounts are deactivated, never deleted, so the trail keeps its actors",
                  "Shown on every page and in the audit trail")
_PROFILE = "Read in queries for the union's statistics (age, ethnicity, political status)"

CLEAR: dict[str, Declared] = {
    # Staff accounts (employees of the unions, not workers served).
    "core.User.first_name": _STAFF, "core.User.last_name": _STAFF, "core.User.email": _STAFF,
    "core.User.display_name": _STAFF,
    "core.AuditEvent.ip": Declared("Security audit: where an action came from (等保 2.0 level 3)",
                                   "Kept with the append-only trail, at least 6 months (Cybersecurity Law art. 21)",
                                   "Searched by the audit administrator"),
    "core.AuditEvent.actor_name": Declared("Security audit: who acted", "Kept with the append-only trail",
                                           "The trail is hash-chained and searched"),
    # The union's contact person.
    "orgs.Org.contact_name": Declared("Reaching the union's contact person about union business",
                                      "While the person is the union's contact; replaced when the contact changes",
                                      "Shown with the union's record; a name alone is not sensitive"),
    # Members.
    "members.Person.name": Declared("Identifying the member on screens, cards and rosters", _MEMBER_RET,
                                    "Searched by name"),
    "members.Person.birth_date": Declared("Age figures of the membership", _MEMBER_RET, _PROFILE),
    "members.Person.ethnicity": Declared("Ethnicity figures of the membership", _MEMBER_RET, _PROFILE),
    "members.Person.political_status": Declared("Political-status figures of the membership", _MEMBER_RET, _PROFILE),
    "members.Consent.ip": Declared("Evidence of when and from where consent was given",
                                   "Kept with the record the consent covers", "A short evidence value"),
    "members.JoinApplication.name": Declared("Processing the application", _APP_RET, "Searched by name"),
    "members.JoinApplication.birth_date": Declared("Processing the application", _APP_RET, _PROFILE),
    "members.JoinApplication.ethnicity": Declared("Processing the application", _APP_RET, _PROFILE),
    "members.JoinApplication.political_status": Declared("Processing the application", _APP_RET, _PROFILE),
    "members.JoinApplication.phone_last4": Declared(
        "Checking the status enquiry (code + last 4 digits)", _APP_RET, "Four digits do not identify anyone",
        derived=True),
    # Workers' requests.
    "casework.Case.worker_name": Declared("Addressing the worker about the request", _CASE_RET, "Searched by name"),
    "casework.Case.workplace": Declared("Handling the request (the employer concerned)", _CASE_RET,
                                        "Searched and counted by workplace"),
    "casework.Case.description": Declared("Handling the request", _CASE_RET, "Read by every handler"),
    "casework.Case.phone_last4": Declared("Checking the tracking enquiry (code + last 4 digits)", _CASE_RET,
                                          "Four digits do not identify anyone", derived=True),
    # The rectification ledger: the leader in charge (分管领导) of a measure is named as the unit's official list of
    # leaders' responsibilities names them; the attendees of a coordination meeting are named as in its minutes.
    "oversight.Measure.leader": Declared(
        "Naming the leader in charge of a rectification measure, as in the unit's published division of duties",
        "Kept with the measure in the rectification ledger (an archive of the unit's work)",
        "Shown and exported in the ledger; a leader's name in an official list is not sensitive"),
    "oversight.Meeting.attendees": Declared(
        "Recording who attended a coordination meeting, as in its minutes",
        "Kept with the meeting record (an archive of the unit's work)",
        "Shown with the meeting; names of officials in their official capacity are not sensitive"),
    # The hardship archive: the masked name is what the public notice (公示) shows; the cause codes are filtered and
    # counted (the details of an illness are in the encrypted note); the category and 低保 applied are derived.
    "aid.Household.name_masked": Declared(
        "Showing the household on the public notice (公示) and in lists without naming the worker",
        "While the file is open and 5 years after the household exits (解困), then anonymised",
        "Two of three characters are hidden (张*三): it names no one alone", derived=True),
    "aid.Household.causes": Declared(
        "Filtering and counting the hardship archive by cause",
        "While the file is open and 5 years after the household exits (解困), then anonymised",
        "Codes only (illness, job loss...), queried by the list and figures; never on the public notice"),
    # The privacy app's own records of requests: keyed hashes of the typed numbers, never the numbers.
    "privacy.DeletionRequest.subject_id_bidx": Declared(
        "Letting the worker see the outcome of their request with the same credentials",
        "Three years after the decision, then deleted", "A keyed hash: the number cannot be read back", derived=True),
    "privacy.DeletionRequest.subject_phone_bidx": Declared(
        "Letting the worker see the outcome of their request with the same credentials",
        "Three years after the decision, then deleted", "A keyed hash: the number cannot be read back", derived=True),
    "privacy.ConsentLink.subject_id_bidx": Declared(
        "Showing the worker the consents they gave", "Kept with the consent", "A keyed hash", derived=True),
    "privacy.ConsentLink.subject_phone_bidx": Declared(
        "Showing the worker the consents they gave", "Kept with the consent", "A keyed hash", derived=True),
    # Surveys (微调查): the member who answered an identified survey (an anonymous one names nobody), and the free
    # text respondents write, which may mention people or numbers (masked in the results and the export).
    "democracy.SurveyResponse.person": Declared(
        "Taking one answer per member in a survey the union runs by name", "Kept with the survey's results",
        "A reference to the member (the registry holds the personal data), needed for the one-answer constraint"),
    "democracy.SurveyAnswer.text": Declared(
        "Reading what respondents wrote in a survey's free-text questions", "Kept with the survey's results",
        "Counted and read as written; numbers that look like ID or mobile numbers are masked on screen and in "
        "exports"),

    # Workers' congresses: the delegates are named as on the congress's published list of delegates (with the
    # composition the rules require: front-line, women, managers); a proposal's handler is the official of the
    # department answering it, named as on the proposal's reply form.
    "democracy.Delegate.name": Declared(
        "Naming the congress's delegates, as on its published list of delegates", "Kept with the congress's records",
        "Shown on the delegates' list and the proposal book; a delegate's name is public within the unit"),
    "democracy.Delegate.person": Declared(
        "Linking a delegate to the members registry (so a member is a delegate once)",
        "Kept with the congress's records",
        "A reference to the member (the registry holds the personal data), needed for the one-delegate constraint"),
    "democracy.Delegate.woman": Declared(
        "Counting the women among the delegates, as the democratic-management rules require",
        "Kept with the congress's records", "A flag counted by the composition query"),
    "democracy.Proposal.handler": Declared(
        "Naming the official who handles a proposal in the department answering it",
        "Kept with the proposal in the congress's records",
        "Shown with the proposal and in the proposal book; an official's name in their official capacity"),
}


def gonghui_models():
    return [m for m in apps.get_models() if m.__module__.startswith("gonghui.")]


# Fields whose name reads like personal data but that hold an organisation's figures: a union's yearly totals are
# its accounts, published on its board, not anyone's income. Each says why.
NOT_PERSONAL: dict[str, str] = {
    "funds.FinalAccount.income": "A union's total income for the year (its final account)",
    "funds.Disclosure.income": "A union's income by category, as published on its public board",
    "funds.Disclosure.income_total": "A union's total income, as published on its public board",
}


def _label(model, field) -> str:
    return f"{model._meta.label}.{field.name}"


def blind_index_columns(model) -> set[str]:
    return {f.blind_index for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField) and f.blind_index}


def classify(model, field) -> str | None:
    """'sensitive', 'personal' or None."""
    name = field.name.lower()
    if _label(model, field) in NOT_PERSONAL:
        return None
    if SENSITIVE_NAMES.search(name):
        return "sensitive"
    if PERSONAL_NAMES.search(name) or isinstance(field, EncryptedTextField) or _label(model, field) in CLEAR:
        return "personal"
    return None


def problems(models=None, clear: dict[str, Declared] | None = None) -> list[str]:
    """Every personal-data field without a declared purpose and retention, or sensitive data not encrypted."""
    clear = CLEAR if clear is None else clear
    out = []
    seen = set()
    for model in models if models is not None else gonghui_models():
        derived = blind_index_columns(model)
        for field in model._meta.concrete_fields:
            label = _label(model, field)
            seen.add(label)
            kind = classify(model, field)
            if kind is None or field.name in derived:
                continue
            if isinstance(field, EncryptedTextField):
                if not (field.purpose or "").strip() or not (field.retention or "").strip():
                    out.append(f"{label}: encrypted, but declares no purpose or no retention")
                continue
            declared = clear.get(label)
            if kind == "sensitive" and (declared is None or not declared.derived):
                out.append(f"{label}: holds sensitive personal data in clear; use EncryptedTextField(purpose=..., "
                           "retention=...)")
            elif declared is None:
                out.append(f"{label}: holds personal data with no declared purpose and retention (declare it in "
                           "gonghui/privacy/inventory.py CLEAR, or encrypt it)")
            elif not declared.purpose.strip() or not declared.retention.strip():
                out.append(f"{label}: declared without a purpose or a retention")
    if models is None:
        out += [f"{label}: declared in CLEAR but no such field" for label in clear if label not in seen]
        out += [f"{label}: declared not personal but no such field" for label in NOT_PERSONAL if label not in seen]
    return out


def inventory() -> list[dict]:
    """The data inventory: every personal-data field with its purpose, retention and protection."""
    rows = []
    for model in gonghui_models():
        derived = blind_index_columns(model)
        for field in model._meta.concrete_fields:
            kind = classify(model, field)
            if kind is None or field.name in derived:
                continue
            label = _label(model, field)
            if isinstance(field, EncryptedTextField):
                rows.append({"field": label, "kind": kind, "purpose": field.purpose, "retention": field.retention,
                             "protection": "encrypted"})
            elif label in CLEAR:
                d = CLEAR[label]
                rows.append({"field": label, "kind": kind, "purpose": d.purpose, "retention": d.retention,
                             "protection": f"clear: {d.why_clear}"})
    return rows


# --- retention periods, read from the declarations -------------------------------------------------------

_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
            "ten": 10, "twelve": 12, "eighteen": 18, "twenty-four": 24, "thirty": 30}
_PERIOD = re.compile(r"\b(\d+|" + "|".join(_NUMBERS) + r")\s+(year|month)s?\s+after\b", re.IGNORECASE)


def months_in(retention: str) -> int | None:
    """The period a retention text declares ('Three years after the case is closed' -> 36), or None."""
    m = _PERIOD.search(retention or "")
    if m is None:
        return None
    n = m.group(1).lower()
    n = int(n) if n.isdigit() else _NUMBERS[n]
    return n * 12 if m.group(2).lower() == "year" else n


def retention_months(model) -> int | None:
    """The longest period declared by the model's encrypted fields (or its CLEAR fields when it has none)."""
    periods = [months_in(f.retention) for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
    if not periods:
        prefix = model._meta.label + "."
        periods = [months_in(d.retention) for label, d in CLEAR.items() if label.startswith(prefix)]
    periods = [p for p in periods if p]
    return max(periods) if periods else None


def months_before(day: datetime.date, months: int) -> datetime.date:
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    m += 1
    last = (datetime.date(y + (m == 12), m % 12 + 1, 1) - datetime.timedelta(days=1)).day
    return datetime.date(y, m, min(day.day, last))
