from django.core.management.base import BaseCommand

from privacy.retention import retention_purge_run


class Command(BaseCommand):
    help = (
        "Purges data past its retention period (RETENTION_POLICY) through every registered "
        "purger; --dry-run only reports how many rows each would remove."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would be purged; change nothing."
        )

    def handle(self, *args, dry_run: bool = False, **options):
        report = retention_purge_run(dry_run=dry_run)
        verb = "would purge" if dry_run else "purged"
        for data_class, cutoff in sorted(report.cutoffs.items()):
            self.stdout.write(f"{data_class}: retention ended before {cutoff:%Y-%m-%d}")
        for key, count in sorted(report.counts.items()):
            self.stdout.write(f"{key}: {verb} {count}")
        self.stdout.write(f"{'Dry run: ' if dry_run else ''}{verb} {report.total} row(s) in total.")
