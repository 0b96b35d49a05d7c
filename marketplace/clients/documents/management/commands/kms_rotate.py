"""Re-wraps every client document's data key under the key service's current master key
(after KMS_LOCAL_MASTER_KEYS gained a new first key, or KMS_KEY_ID names a new AWS key).
The encrypted files are not read or rewritten. Run it, then drop the old key."""

from django.core.management.base import BaseCommand

from integrations.kms import get_kms
from marketplace.clients.documents.services import documents_rewrap


class Command(BaseCommand):
    help = "Re-wrap client documents' data keys under the current master key."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count only; change nothing.")

    def handle(self, *args, dry_run: bool = False, **options):
        current = get_kms().current_key_id()
        count = documents_rewrap(dry_run=dry_run)
        noun = "data key" if count == 1 else "data keys"
        if dry_run:
            self.stdout.write(f"{count} {noun} would be re-wrapped under {current}.")
        else:
            self.stdout.write(f"{count} {noun} re-wrapped under {current}.")
