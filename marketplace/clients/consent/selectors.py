"""Reads for consent: the current versions, a client's standing per kind of document, and
what a booking still needs signed (`consent_missing_for`, which commerce's booking
service asks before every new booking)."""

from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.models import User
from marketplace.clients.consent.models import (
    NEEDED_FOR,
    ConsentKind,
    ConsentSignature,
    ConsentVersion,
)


class State:
    SIGNED = "signed"
    OUTDATED = "outdated"  # signed an earlier version: a new version asks for a new signature
    WITHDRAWN = "withdrawn"
    UNSIGNED = "unsigned"


STATE_LABELS = {
    State.SIGNED: "Signed",
    State.OUTDATED: "New version to sign",
    State.WITHDRAWN: "Withdrawn",
    State.UNSIGNED: "Not signed",
}


@dataclass(frozen=True)
class ConsentStatus:
    """A client's standing for one published consent document."""

    kind: str
    version: ConsentVersion
    latest: ConsentSignature | None
    state: str

    @property
    def label(self) -> str:
        return ConsentKind(self.kind).label

    @property
    def needed_for(self) -> str:
        return NEEDED_FOR[ConsentKind(self.kind)]

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def is_valid(self) -> bool:
        return self.state == State.SIGNED

    @property
    def can_withdraw(self) -> bool:
        return self.latest is not None and self.latest.action == ConsentSignature.Action.SIGNED


def current_versions() -> dict[str, ConsentVersion]:
    """Kind → the newest version of each published (live) consent document. A document
    staff unpublished asks for nothing."""
    versions: dict[str, ConsentVersion] = {}
    for version in ConsentVersion.objects.filter(document__live=True).order_by("kind", "-number"):
        versions.setdefault(version.kind, version)
    return versions


def consent_version_current(*, kind: str) -> ConsentVersion | None:
    return current_versions().get(kind)


def _latest_events(client: User, kinds: list[str]) -> dict[str, ConsentSignature]:
    latest: dict[str, ConsentSignature] = {}
    if not kinds or not getattr(client, "pk", None):
        return latest
    for event in (
        ConsentSignature.objects.filter(client=client, kind__in=kinds)
        .select_related("version")
        .order_by("kind", "-created_at", "-pk")
    ):
        latest.setdefault(event.kind, event)
    return latest


def _state(version: ConsentVersion, latest: ConsentSignature | None) -> str:
    if latest is None:
        return State.UNSIGNED
    if latest.action == ConsentSignature.Action.WITHDRAWN:
        return State.WITHDRAWN
    if latest.version_id != version.pk:
        return State.OUTDATED
    return State.SIGNED


def consent_statuses(*, client: User, kinds: list[str] | None = None) -> list[ConsentStatus]:
    """The client's standing for every published document (or those of `kinds`), in the
    order of ConsentKind. Two queries whatever the history."""
    versions = current_versions()
    wanted = [kind for kind in ConsentKind.values if kind in versions]
    if kinds is not None:
        wanted = [kind for kind in wanted if kind in kinds]
    latest = _latest_events(client, wanted)
    return [
        ConsentStatus(
            kind=kind,
            version=versions[kind],
            latest=latest.get(kind),
            state=_state(versions[kind], latest.get(kind)),
        )
        for kind in wanted
    ]


def kinds_for_booking(*, online: bool) -> list[str]:
    """Every booking needs the treatment agreement; an online session also the telehealth
    consent."""
    kinds = [ConsentKind.TREATMENT.value]
    if online:
        kinds.append(ConsentKind.TELEHEALTH.value)
    return kinds


def consent_missing_for(
    *, client: User, practitioner=None, online: bool = False
) -> list[ConsentVersion]:
    """The current versions the client must sign before booking with `practitioner` (a
    session online or not): those never signed, signed in an earlier version, or
    withdrawn. Empty when nothing is missing. `practitioner` is where a practitioner's own
    documents would come in; today every document is platform-wide."""
    return [
        status.version
        for status in consent_statuses(client=client, kinds=kinds_for_booking(online=online))
        if not status.is_valid
    ]


def consent_is_valid(*, client: User, kind: str) -> bool:
    """Whether the client holds a standing signature of the current version of `kind`
    (False when no such document is published: nothing to have agreed to)."""
    statuses = consent_statuses(client=client, kinds=[kind])
    return bool(statuses) and statuses[0].is_valid


def consent_history(*, client: User) -> QuerySet[ConsentSignature]:
    """Every signature and withdrawal of the client, newest first."""
    return ConsentSignature.objects.filter(client=client).select_related("version")


def document_summary(version: ConsentVersion) -> dict:
    """How the API names a document to sign."""
    return {
        "kind": version.kind,
        "title": version.title,
        "version": version.number,
        "sha256": version.sha256,
    }
