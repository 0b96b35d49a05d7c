"""Contended credit spends: threads spending from ONE wallet (they queue on its row lock)
against the same threads spending from their OWN wallets, in the same run."""

import threading
import time

from django.db import connection

from accounts.models import User
from commerce.credits.models import CreditTransaction
from commerce.credits.services import credits_grant, credits_spend

THREADS = 8
SPENDS_PER_THREAD = 25


def _wallet(email: str, amount: int) -> User:
    user = User.objects.create_user(email=email, password=None)
    credits_grant(
        user=user,
        amount=amount,
        kind=CreditTransaction.Kind.ADJUSTMENT,
        source_type="bench",
        source_id=email,
    )
    return user


def _spend_rate(users: list[User], tag: str) -> float:
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        user = users[index % len(users)]
        barrier.wait()
        try:
            for n in range(SPENDS_PER_THREAD):
                credits_spend(
                    user=user, amount=1, source_type="bench", source_id=f"{tag}-{index}-{n}"
                )
        except BaseException as error:  # noqa: BLE001  (reported below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return THREADS * SPENDS_PER_THREAD / elapsed


def run() -> str:
    total = THREADS * SPENDS_PER_THREAD
    shared = [_wallet("bench-shared@example.org", total)]
    own = [_wallet(f"bench-own-{i}@example.org", SPENDS_PER_THREAD) for i in range(THREADS)]
    contended = _spend_rate(shared, "shared")
    independent = _spend_rate(own, "own")
    return (
        f"credit spends, {THREADS} threads: one shared wallet {contended:,.0f}/s vs own wallets "
        f"{independent:,.0f}/s -> ratio {contended / independent:.2f} ({connection.vendor})"
    )
