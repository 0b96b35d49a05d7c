"""Writes for consent: freezing a published document into a version, signing and
withdrawing (each a new row, audited), and the check the booking service makes."""

import re
import unicodedata

from django.db import transaction
from django.db.models import Max

from accounts.models import User
from marketplace.clients.consent.errors import ConsentConflict, ConsentInvalid, ConsentRequired
from marketplace.clients.consent.models import (
    ConsentDocument,
    ConsentKind,
    ConsentSignature,
    ConsentVersion,
    text_sha256,
)
from marketplace.clients.consent.selectors import (
    consent_missing_for,
    consent_statuses,
    current_versions,
    document_summary,
)
from privacy.audit import audit

TYPED_NAME_MAX = 200
USER_AGENT_MAX = 500


@transaction.atomic
def consent_version_publish(
    *, document: ConsentDocument, published_by=None
) -> ConsentVersion | None:
    """Freezes the document's current text as its next version, unless the newest version
    already has exactly this text (re-publishing unchanged text asks nobody to sign
    again). Returns the new version, or None when nothing changed."""
    document = ConsentDocument.objects.select_for_update().get(pk=document.pk)
    digest = text_sha256(title=document.title, body=document.body)
    newest = document.versions.order_by("-number").first()
    if newest is not None and newest.sha256 == digest:
        return None
    number = (document.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    return ConsentVersion.objects.create(
        document=document,
        kind=document.kind,
        number=number,
        title=document.title.strip(),
        body=document.body.strip().replace("\r\n", "\n"),
        sha256=digest,
        published_by=published_by if getattr(published_by, "pk", None) else None,
    )


def _name_tokens(value: str) -> list[str]:
    """Lower-cased words without accents or punctuation: "Zoë O'Brien-Smith" → ["zoe",
    "obrien", "smith"]."""
    decomposed = unicodedata.normalize("NFKD", value)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    plain = plain.casefold().replace("'", "").replace("’", "")
    return [token for token in re.split(r"[^\w]+", plain) if token and not token.isdigit()]


def typed_name_matches(*, typed: str, user: User) -> bool:
    """The loose match a signature's typed name needs: every word of the account's name
    (first and last) appears in it, in any order, ignoring case, accents and punctuation
    ("jane q. doe" or "Doe, Jane" sign for Jane Doe). Without a name on the account, any
    name with a letter in it is taken as typed."""
    typed_tokens = _name_tokens(typed)
    if not typed_tokens or not any(char.isalpha() for char in typed):
        return False
    account_tokens = _name_tokens(f"{user.first_name} {user.last_name}")
    return all(token in typed_tokens for token in account_tokens)


def _clean_typed_name(typed_name: str, client: User) -> str:
    typed_name = " ".join((typed_name or "").split())
    if not typed_name:
        raise ConsentInvalid("Type your full name to sign.", code="name_required")
    if len(typed_name) > TYPED_NAME_MAX:
        raise ConsentInvalid("That name is too long.", code="name_too_long")
    if not typed_name_matches(typed=typed_name, user=client):
        raise ConsentInvalid(
            "The name you typed does not match the name on your account "
            f"({client.get_full_name()}). Type your full name as it appears there.",
            code="name_mismatch",
        )
    return typed_name


def _lock_client(client: User) -> None:
    """Serialises one client's consent writes (two tabs signing at once add one row)."""
    User.objects.select_for_update().filter(pk=client.pk).first()


@transaction.atomic
def consent_sign(
    *,
    client: User,
    version: ConsentVersion,
    typed_name: str,
    ip_address: str | None,
    user_agent: str,
    request=None,
) -> ConsentSignature:
    """Signs `version` for the client with the name they typed. Only the current version
    of a published document can be signed (an older one → 409 `consent_outdated`, so a
    page left open while staff published a new text cannot sign the old words). Signing
    again what already stands returns the standing signature. Audited (`sign`)."""
    typed_name = _clean_typed_name(typed_name, client)
    _lock_client(client)
    current = current_versions().get(version.kind)
    if current is None or current.pk != version.pk:
        raise ConsentConflict(
            "This version is no longer the current one: read the new text and sign it.",
            code="consent_outdated",
        )
    if not version.text_matches_hash():
        raise ConsentConflict("This consent text does not match its hash.", code="consent_tampered")
    standing = consent_statuses(client=client, kinds=[version.kind])[0]
    if standing.is_valid and standing.latest is not None:
        return standing.latest
    signature = ConsentSignature.objects.create(
        client=client,
        version=version,
        kind=version.kind,
        action=ConsentSignature.Action.SIGNED,
        text_sha256=version.sha256,
        typed_name=typed_name,
        ip_address=ip_address or None,
        user_agent=(user_agent or "")[:USER_AGENT_MAX],
    )
    audit(
        actor=client,
        action="sign",
        subject_user_id=client.pk,
        object_type="consent_signature",
        object_id=signature.pk,
        request=request,
        details={"kind": version.kind, "version": version.number},
    )
    return signature


@transaction.atomic
def consent_withdraw(
    *,
    client: User,
    kind: str,
    ip_address: str | None,
    user_agent: str,
    request=None,
) -> ConsentSignature:
    """Withdraws the client's standing consent of `kind`: a new row, effective at once
    (the next booking asks for it again; without the telehealth consent no online session
    can be booked). Nothing standing to withdraw → 409 `not_signed`. Audited
    (`withdraw`)."""
    if kind not in ConsentKind.values:
        raise ConsentInvalid("No such kind of consent.", code="invalid_kind")
    _lock_client(client)
    latest = (
        ConsentSignature.objects.filter(client=client, kind=kind)
        .select_related("version")
        .order_by("-created_at", "-pk")
        .first()
    )
    if latest is None or latest.action != ConsentSignature.Action.SIGNED:
        raise ConsentConflict(
            "There is no signed consent of this kind to withdraw.", code="not_signed"
        )
    withdrawal = ConsentSignature.objects.create(
        client=client,
        version=latest.version,
        kind=kind,
        action=ConsentSignature.Action.WITHDRAWN,
        text_sha256=latest.version.sha256,
        ip_address=ip_address or None,
        user_agent=(user_agent or "")[:USER_AGENT_MAX],
    )
    audit(
        actor=client,
        action="withdraw",
        subject_user_id=client.pk,
        object_type="consent_signature",
        object_id=withdrawal.pk,
        request=request,
        details={"kind": kind, "version": latest.version.number},
    )
    return withdrawal


def consent_require_for_booking(*, client: User, practitioner=None, online: bool) -> None:
    """Raises ConsentRequired (409 `consent_required`, with the documents to sign) when
    the client has not signed every current document a booking needs."""
    missing = consent_missing_for(client=client, practitioner=practitioner, online=online)
    if missing:
        titles = ", ".join(version.title for version in missing)
        raise ConsentRequired(
            f"Before booking, please read and sign: {titles}.",
            documents=[document_summary(version) for version in missing],
        )
