import time
from collections.abc import Callable


def best_rate(work: Callable[[int], None], *, count: int, rounds: int = 3) -> float:
    """Operations per second of the fastest of `rounds` runs of `work(count)`."""
    best = float("inf")
    for round_number in range(rounds):
        started = time.perf_counter()
        work(round_number)
        best = min(best, time.perf_counter() - started)
    return count / best
