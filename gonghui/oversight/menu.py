"""The oversight entries of the left menu, one block per part of the app (each part adds its own)."""

from django.utils.translation import gettext_lazy as _

from gonghui.core.menu import MenuItem, register

# Two sections, as a federation's office divides the work: supervision and rectification; key work, targets and
# the ground (visits, inspections, tips).
SECTION = _("Supervision")
WORK = _("Key work and visits")


# --- problems and their review ---
PROBLEMS: list[MenuItem] = [
    MenuItem(_("Problem list"), "oversight:problems", "oversight.view", SECTION),
    MenuItem(_("File a problem"), "oversight:problem_new", "oversight.write", SECTION),
    MenuItem(_("Import a problem list"), "oversight:problem_import", "oversight.write", SECTION),
    MenuItem(_("Problem sources"), "oversight:sources", "oversight.settings", SECTION),
    MenuItem(_("Problem categories"), "oversight:categories", "oversight.settings", SECTION),
    MenuItem(_("Departments"), "oversight:departments", "oversight.write", SECTION),
]


# --- ledger, measures, dispatch, snail list ---
LEDGER: list[MenuItem] = [
    MenuItem(_("Rectification ledger"), "oversight:ledger", "oversight.view", SECTION),
    MenuItem(_("Weekly dispatch"), "oversight:dispatch", "oversight.view", SECTION),
    MenuItem(_("Coordination meetings"), "oversight:meetings", "oversight.view", SECTION),
    MenuItem(_("Snail list"), "oversight:snail", "oversight.view", SECTION),
]


# --- key tasks and targets ---
TASKS: list[MenuItem] = [
    MenuItem(_("Key tasks"), "oversight:tasks", "oversight.view", WORK),
    MenuItem(_("Target management"), "oversight:targets", "oversight.view", WORK),
]


# --- visits, inspections, tips ---
VISITS: list[MenuItem] = [
    MenuItem(_("Field visits"), "oversight:visits", "oversight.view", WORK),
    MenuItem(_("Inspections"), "oversight:inspections", "oversight.view", WORK),
    MenuItem(_("Inspection items"), "oversight:inspection_items", "oversight.view", WORK),
    MenuItem(_("Conduct mailbox tips"), "oversight:tips", "oversight.view", WORK),
]


register(*PROBLEMS, *LEDGER, *TASKS, *VISITS)
