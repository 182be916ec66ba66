"""Measures are a supervision kind ("measure"): blue when due within 3 working days unless set otherwise, yellow
without a report in an open dispatch round, red when overdue; red measures rise to the parent unit's supervision
list. Imported at start-up (through audit_ledger)."""

from django.utils.translation import gettext_lazy as _

from gonghui.core import supervision

KIND = "measure"
BLUE_WITHIN = 3

supervision.register_kind(KIND, label=_("Rectification measure"), perm="oversight.view",
                          write_perm="oversight.write", settings_perm="oversight.settings", blue_within=BLUE_WITHIN,
                          remind_before=BLUE_WITHIN, url_name="oversight:measure")
