"""`gonghui democracy`: check an evaluation poll.

    gonghui democracy verify POLL

Recounts the poll's ballots (POLL is its number) and checks that the recount equals the stored tally, that the
ballots number the codes used, and that every ballot is well formed. Prints one line per check; exits 0 when all
hold, 1 when one does not (or the poll is not closed yet), 2 when there is no such poll.
"""

from django.core.management.base import BaseCommand, CommandError

from gonghui.democracy import polls
from gonghui.democracy.models import Poll


class Command(BaseCommand):
    help = "Democracy: verify an evaluation poll's tally by recounting its ballots."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{verify}")
        verify = sub.add_parser("verify", help="recount a closed poll and check its tally")
        verify.add_argument("poll", help="the poll's number")

    def handle(self, *args, action: str, poll: str, **options) -> None:
        if not str(poll).isdigit():
            raise CommandError(f"POLL must be a poll's number, not {poll!r}", returncode=2)
        found = Poll.objects.filter(pk=int(poll)).first()
        if found is None:
            raise CommandError(f"no poll {poll}", returncode=2)
        result = polls.verify(found)
        self.stdout.write(f"{found.pk} {found.title}")
        for line in result.lines:
            self.stdout.write(str(line))
        if not result.ok:
            raise CommandError("verification failed", returncode=1)
        self.stdout.write("OK")
