"""The democracy entries of the left menu."""

from django.utils.translation import gettext_lazy as _

from gonghui.core.menu import MenuItem, register

SECTION = _("Democracy")

POLLS: list[MenuItem] = [
    MenuItem(_("Evaluation polls"), "democracy:polls", "democracy.view", SECTION),
    MenuItem(_("Set up an evaluation poll"), "democracy:poll_new", "democracy.write", SECTION),
    MenuItem(_("Criteria sets"), "democracy:criteria", "democracy.view", SECTION),
]

register(*POLLS)

SURVEYS: list[MenuItem] = [
    MenuItem(_("Surveys"), "democracy:surveys", "democracy.view", SECTION),
    MenuItem(_("New survey"), "democracy:survey_new", "democracy.write", SECTION),
]

register(*SURVEYS)
CONGRESS: list[MenuItem] = [
    MenuItem(_("Workers' congresses"), "democracy:congresses", "democracy.view", SECTION),
    MenuItem(_("Proposals"), "democracy:proposals", "democracy.view", SECTION),
    MenuItem(_("Disclosure records"), "democracy:disclosures", "democracy.view", SECTION),
]

register(*CONGRESS)
