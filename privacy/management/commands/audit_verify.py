"""`manage.py audit_verify`: walks the audit log's hash chain from the first entry and
reports the first broken link (an entry changed, removed, inserted or reordered); exits
1 if there is one, 0 when the chain is intact."""

from django.core.management.base import BaseCommand, CommandError

from privacy.audit import chain_breaks
from privacy.models import AuditEntry


class Command(BaseCommand):
    help = "Verifies the audit log's hash chain; exits non-zero at the first broken link."

    def handle(self, *args, **options) -> None:
        first = next(chain_breaks(), None)
        if first is not None:
            raise CommandError(
                f"The audit chain is broken at entry {first.entry_id}: {first.reason}.",
                returncode=1,
            )
        count = AuditEntry.objects.count()
        self.stdout.write(self.style.SUCCESS(f"The audit chain is intact ({count} entries)."))
