"""How long each class of data is kept, and the purgers that remove it afterwards.

Clinical apps register a purger per data class from their AppConfig.ready(), so privacy
imports none of them (DESIGN.md §1):

    from privacy.retention import register
    register("clinical_adult", notes_purge, name="clinical_notes",
             models=("clinical_notes.SessionNote",))

A purger is `fn(*, cutoff, dry_run) -> int`: it finds what it holds whose retention clock
(for clinical data, the last contact between client and practitioner) stopped before
`cutoff`, and returns how many rows that is; with `dry_run=True` it changes nothing, else
it deletes them (and their files). `cutoff` is now minus the class's period from the
RETENTION_POLICY setting (docs/retention.md says why each period is what it is).
`manage.py retention_purge [--dry-run]` and the daily beat task run every purger."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

Purger = Callable[..., int]


@dataclass(frozen=True)
class RetentionRegistration:
    data_class: str
    name: str
    purger: Purger
    models: tuple[str, ...]


_purgers: dict[tuple[str, str], RetentionRegistration] = {}


def register(data_class: str, fn: Purger, *, name: str = "", models: tuple[str, ...] = ()) -> None:
    """Registers `fn` as a purger of `data_class` (a key of RETENTION_POLICY). `name`
    (default: the function's module and name) tells purgers of one class apart in the
    report; registering the same (class, name) again replaces it."""
    name = name or f"{fn.__module__}.{fn.__qualname__}"
    _purgers[(data_class, name)] = RetentionRegistration(
        data_class=data_class, name=name, purger=fn, models=models
    )


def registered_purgers() -> list[RetentionRegistration]:
    return sorted(_purgers.values(), key=lambda entry: (entry.data_class, entry.name))


def retention_years(data_class: str) -> int:
    policy: dict[str, int] = settings.RETENTION_POLICY
    if data_class not in policy:
        raise ImproperlyConfigured(
            f"RETENTION_POLICY has no period for the data class {data_class!r}."
        )
    return int(policy[data_class])


def retention_cutoff(data_class: str, *, now: datetime | None = None) -> datetime:
    """The instant before which this class's retention clock has run out: `now` minus
    the class's years (29 February falls back to 28 February)."""
    now = now or timezone.now()
    years = retention_years(data_class)
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


@dataclass(frozen=True)
class PurgeReport:
    dry_run: bool
    counts: dict[str, int]  # "<data_class>:<name>" → rows past retention (purged if not dry)
    cutoffs: dict[str, datetime]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def retention_purge_run(*, dry_run: bool, now: datetime | None = None) -> PurgeReport:
    """Runs every registered purger with its class's cutoff. A dry run changes nothing
    and writes no audit entry; a real run appends one `retention_purge` entry with the
    counts per purger (ids and numbers only). Each purger runs in its own transaction."""
    from django.db import transaction

    from privacy.audit import audit

    now = now or timezone.now()
    counts: dict[str, int] = {}
    cutoffs: dict[str, datetime] = {}
    for registration in registered_purgers():
        cutoff = retention_cutoff(registration.data_class, now=now)
        cutoffs[registration.data_class] = cutoff
        with transaction.atomic():
            counts[f"{registration.data_class}:{registration.name}"] = int(
                registration.purger(cutoff=cutoff, dry_run=dry_run)
            )
    if not dry_run:
        audit(
            actor=None,
            action="retention_purge",
            subject_user_id=None,
            object_type="retention_policy",
            object_id=None,
            details={
                "counts": counts,
                "cutoffs": {key: value.isoformat() for key, value in cutoffs.items()},
            },
        )
    return PurgeReport(dry_run=dry_run, counts=counts, cutoffs=cutoffs)
