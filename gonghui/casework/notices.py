"""Messages about cases, through the pluggable notification backends of ``gonghui.core.notify``.

Workers are told by SMS when their request is received, when papers are missing (the whole list at once) and
when it is answered. Units are told through their contact phone, once per sweep with the counts, when cases
need attention; the handler sees every reminder in the inbox and on the case (``CaseAlert`` rows).
"""

from django.utils.translation import gettext_lazy as _

from gonghui.core import notify

TEMPLATES = {
    "case.received": _("Your request %(code)s has been received by %(org)s. Track it with this code and the last "
                       "4 digits of your phone number."),
    "case.linked": _("You already have an open request %(code)s on the same matter; what you sent has been added "
                     "to it. Track it with this code and the last 4 digits of your phone number."),
    "case.papers": _("For your request %(code)s please bring all of the following: %(items)s. The time limit is "
                     "paused until they arrive."),
    "case.replied": _("Your request %(code)s has been answered by %(org)s. See the reply and rate it on the "
                      "tracking page."),
    "case.reminder": _("%(org)s: %(n)s requests need attention (%(red)s overdue, %(yellow)s without progress, "
                       "%(blue)s due soon). See the case inbox."),
    "case.escalated": _("%(org)s: %(n)s requests handled by the units under you are overdue and now on your "
                        "supervision list."),
}

# Registered here so the app brings its own texts (the gateway maps the same names to approved template ids).
for _name, _text in TEMPLATES.items():
    notify.TEMPLATES.setdefault(_name, _text)


def tell(*, phone: str, template: str, **context) -> None:
    """Send after the current transaction commits; nothing when there is no phone."""
    notify.send_on_commit(to_phone=phone, template=template, context=context)
