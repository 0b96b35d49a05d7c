"""Reads the results of identity checks still pending at the vendor (FrankieOne) and applies
them: what beat does every 15 minutes, on demand (after rotating the notification secret,
or an outage)."""

from datetime import timedelta

from django.core.management.base import BaseCommand

from marketplace.practitioners.webhooks import kyc_pending_refresh


class Command(BaseCommand):
    help = "Fetch and apply the results of KYC checks pending longer than --minutes."

    def add_arguments(self, parser):
        parser.add_argument("--minutes", type=int, default=15)
        parser.add_argument("--limit", type=int, default=500)

    def handle(self, *args, minutes: int, limit: int, **options):
        applied = kyc_pending_refresh(older_than=timedelta(minutes=max(0, minutes)), limit=limit)
        self.stdout.write(f"{applied} pending identity check(s) got their result.")
