"""Runs every benchmark on a throw-away database and prints the figures.

make bench                       # SQLite file database, eager tasks
DATABASE_URL=postgres://... make bench
"""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def main() -> int:
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    from bench import (
        booking_contention,
        credits_contention,
        document_crypto,
        home_page,
        rooms_signalling,
        slots,
        webhook_ingest,
    )

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        for module in (
            webhook_ingest,
            credits_contention,
            booking_contention,
            slots,
            home_page,
            document_crypto,
            rooms_signalling,
        ):
            print(module.run())
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    return 0


if __name__ == "__main__":
    sys.exit(main())
