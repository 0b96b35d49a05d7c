"""Re-encrypts every encrypted model field under the first FIELD_ENCRYPTION_KEYS key."""

from django.core.management.base import BaseCommand

from accounts.encryption import encrypted_values_rotate


class Command(BaseCommand):
    help = (
        "After putting a new key first in FIELD_ENCRYPTION_KEYS: rewrite every encrypted "
        "value under it, so the old key can then be removed."
    )

    def handle(self, *args, **options):
        rewritten = encrypted_values_rotate()
        self.stdout.write(f"Re-encrypted {rewritten} value(s) under the current key.")
