"""Runs work in real threads released at the same instant, for the tests that prove the
database (row locks, unique indexes, exclusion constraints, serialized SQLite writers)
keeps an invariant under concurrency."""

import threading
from collections import Counter
from collections.abc import Callable, Sequence

from django.db import connections

from accounts.errors import DomainError


def race(jobs: Sequence[Callable[[], object]]) -> Counter[str]:
    """Runs each job in its own thread, all released by one barrier, and counts the
    outcomes: the text a job returned ("ok" when it returned anything else), a domain
    error's `api_code`, or "unexpected: …" for any other exception, so that a test's
    assertion shows it."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(job: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            result = job()
            outcome = result if isinstance(result, str) else "ok"
        except DomainError as error:
            outcome = error.api_code
        except Exception as error:  # noqa: BLE001 - reported through the outcomes
            outcome = f"unexpected: {error!r}"
        finally:
            # Each thread opened its own connection; close it so the test database can be
            # dropped and PostgreSQL's connection slots are freed.
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a racing thread never finished"
    return Counter(outcomes)
