"""manage.py contentful_sync [--full]: run a Contentful sync now, in this process."""

from django.core.management.base import BaseCommand, CommandError

from cms.contentful_sync.services import contentful_sync_run
from integrations.contentful.types import ContentfulError, ContentfulRateLimited


class Command(BaseCommand):
    help = "Sync Contentful into Wagtail from the stored token (--full: start from scratch)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--full", action="store_true", help="Ignore the stored token and sync everything."
        )

    def handle(self, *args, full: bool = False, **options):
        try:
            run = contentful_sync_run(full=full, trigger="command")
        except ContentfulRateLimited as error:
            raise CommandError(
                f"Rate-limited by Contentful: run again in {error.reset_seconds} s "
                "(the sync resumes where it stopped)."
            ) from error
        except ContentfulError as error:
            raise CommandError(f"Contentful sync failed: {error}") from error
        if run is None:
            raise CommandError("Another sync is running; try again when it has finished.")
        self.stdout.write(
            f"Contentful sync done: {run.pages} page(s), {run.upserted} new or changed, "
            f"{run.unchanged} unchanged, {run.deleted} deleted, {run.applied} applied"
            + (f", {run.apply_failures} not applied" if run.apply_failures else "")
            + "."
        )
