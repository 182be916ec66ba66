"""The assistance entries of the left menu, one block per part of the app (each part adds its own, then registers
it on the last line)."""

from django.utils.translation import gettext_lazy as _

from gonghui.core.menu import MenuItem, register

SECTION = _("Assistance")

# --- the hardship archive ---
ARCHIVE: list[MenuItem] = [
    MenuItem(_("Hardship archive"), "aid:archive", "aid.view", SECTION),
    MenuItem(_("New hardship file"), "aid:household_new", "aid.write", SECTION),
    MenuItem(_("Hardship files to review"), "aid:archive_review", "aid.review", SECTION),
    MenuItem(_("低保 standards"), "aid:standards", "aid.view", SECTION),
]


# --- programs, grants, batches, visits ---
PROGRAMS: list[MenuItem] = [
    MenuItem(_("Assistance programs"), "aid:programs", "aid.view", SECTION),
    MenuItem(_("Assistance grants"), "aid:grants", "aid.view", SECTION),
    MenuItem(_("Apply for a grant"), "aid:grant_apply", "aid.write", SECTION),
    MenuItem(_("Grants awaiting approval"), "aid:inbox", "aid.review", SECTION),
    MenuItem(_("Assistance visits"), "aid:visits", "aid.view", SECTION),
]


# --- medical mutual aid ---
MUTUAL: list[MenuItem] = [
    MenuItem(_("Medical mutual aid plans"), "aid:mutual_plans", "aid.view", SECTION),
    MenuItem(_("Medical mutual aid claims"), "aid:mutual_claims", "aid.view", SECTION),
    MenuItem(_("File a mutual aid claim"), "aid:mutual_claim_new", "aid.write", SECTION),
    MenuItem(_("Mutual aid claims to review"), "aid:mutual_review", "aid.review", SECTION),
]


# --- donation drives, recuperation and check-ups ---
DRIVES: list[MenuItem] = [
    MenuItem(_("Donation drives"), "aid:drives", "aid.view", SECTION),
    MenuItem(_("Recuperation and check-ups"), "aid:schemes", "aid.view", SECTION),
    MenuItem(_("Nominations"), "aid:nominations", "aid.view", SECTION),
    MenuItem(_("Nominations to review"), "aid:nomination_review", "aid.review", SECTION),
]

register(*ARCHIVE, *PROGRAMS, *MUTUAL, *DRIVES)
