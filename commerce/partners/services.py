"""Every write about society partners: partners and their administrators, pools,
invitations, voucher codes, enrolments and draws.

Concurrency (DESIGN.md §3): a draw or reversal locks its pool row (`select_for_update` on
PostgreSQL; on SQLite every write transaction is already serialized by BEGIN IMMEDIATE),
and a voucher redemption locks its voucher row. Check constraints on `units_used` and
`redemptions` are the last line of defence. A partner-funded draw never touches a card or
the credits ledger: the booking engine records the draw instead of a payment.
"""

import re
import secrets
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from accounts.roles import Role
from accounts.services import role_grant, role_revoke
from commerce.errors import Conflict, InvalidRequest, NotFound
from commerce.partners.models import (
    VOUCHER_CODE_MAX_LENGTH,
    VOUCHER_CODE_MIN_LENGTH,
    VOUCHER_CODE_PATTERN,
    Partner,
    PartnerAdmin,
    PoolDraw,
    PoolEnrollment,
    PoolInvite,
    SponsorPool,
    VoucherCode,
    voucher_code_key,
    voucher_code_key_expression,
)
from privacy.registry import ErasureSubject

MAX_INVITES_PER_CALL = 1000
MAX_EMAIL_LENGTH = 254  # the column's length; Django's validator allows up to 320
# No 0/O or 1/I/L: codes are read aloud and copied from paper.
VOUCHER_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
POOL_EDITABLE_FIELDS = frozenset(
    {"name", "units_funded", "per_client_cap", "starts_at", "ends_at", "is_active", "eligibility"}
)
VOUCHER_EDITABLE_FIELDS = frozenset({"max_redemptions", "expires_at", "is_active"})


# ---------- Partners and their administrators ----------


@transaction.atomic
def partner_create(*, name: str, slug: str = "", is_active: bool = True) -> Partner:
    """Creates a partner; the slug defaults to one made from the name."""
    name = str(name or "").strip()
    if not name:
        raise InvalidRequest("A partner needs a name.")
    if len(name) > 200:
        raise InvalidRequest("A partner's name is at most 200 characters.")
    slug = slugify(slug or name)[:80]
    if not slug:
        raise InvalidRequest("Choose a web address (slug) with letters or digits.")
    if Partner.objects.filter(slug=slug).exists():
        raise Conflict(f"A partner with the address “{slug}” already exists.", code="slug_taken")
    return Partner.objects.create(name=name, slug=slug, is_active=is_active)


@transaction.atomic
def partner_admin_add(*, partner: Partner, user: User) -> PartnerAdmin:
    """Makes the user an administrator of the partner (idempotent) and grants the
    Partners role."""
    admin, _ = PartnerAdmin.objects.get_or_create(partner=partner, user=user)
    role_grant(user=user, role=Role.PARTNER)
    return admin


@transaction.atomic
def partner_admin_remove(*, partner: Partner, user: User) -> None:
    """Ends the user's administration of the partner (idempotent); the Partners role goes
    when they administer no partner any more."""
    PartnerAdmin.objects.filter(partner=partner, user=user).delete()
    if not PartnerAdmin.objects.filter(user=user).exists():
        role_revoke(user=user, role=Role.PARTNER)


# ---------- Pools ----------


def _validate_pool_values(values: Mapping[str, Any], *, units_used: int = 0) -> None:
    units_funded = values.get("units_funded")
    if not isinstance(units_funded, int) or isinstance(units_funded, bool) or units_funded < 1:
        raise InvalidRequest("A pool must fund at least one unit.")
    if units_funded < units_used:
        raise InvalidRequest(
            f"{units_used} units are already used; fund at least that many.", code="below_used"
        )
    cap = values.get("per_client_cap")
    if not isinstance(cap, int) or isinstance(cap, bool) or cap < 1:
        raise InvalidRequest("The per-client cap must be at least one unit.")
    if values.get("unit") not in SponsorPool.Unit.values:
        raise InvalidRequest("A pool funds sessions or credits.")
    if values.get("eligibility") not in SponsorPool.Eligibility.values:
        raise InvalidRequest("Choose who may join the pool: invited emails, vouchers or both.")
    starts_at, ends_at = values.get("starts_at"), values.get("ends_at")
    for moment in (starts_at, ends_at):
        if moment is not None and (not isinstance(moment, datetime) or timezone.is_naive(moment)):
            raise InvalidRequest("Pool dates need a time zone.")
    if starts_at and ends_at and ends_at <= starts_at:
        raise InvalidRequest("The pool must end after it starts.")
    name = str(values.get("name") or "").strip()
    if not name:
        raise InvalidRequest("A pool needs a name.")
    if len(name) > 200:
        raise InvalidRequest("A pool's name is at most 200 characters.")


@transaction.atomic
def pool_create(
    *,
    partner: Partner,
    name: str,
    units_funded: int,
    per_client_cap: int,
    unit: str = SponsorPool.Unit.SESSION,
    eligibility: str = SponsorPool.Eligibility.INVITE_OR_VOUCHER,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    is_active: bool = True,
) -> SponsorPool:
    """Creates a pool of `units_funded` sessions or credits, of which one client may use
    at most `per_client_cap`."""
    values = {
        "name": (name or "").strip(),
        "units_funded": units_funded,
        "per_client_cap": per_client_cap,
        "unit": unit,
        "eligibility": eligibility,
        "starts_at": starts_at,
        "ends_at": ends_at,
    }
    _validate_pool_values(values)
    return SponsorPool.objects.create(partner=partner, is_active=is_active, **values)


@transaction.atomic
def pool_update(*, pool: SponsorPool, changes: Mapping[str, Any]) -> SponsorPool:
    """Changes a pool's terms (name, funding, cap, window, eligibility, active) under its
    row lock, writing only those columns so a concurrent draw's `units_used` is never
    overwritten. Funding can be raised (a top-up) or lowered down to what is used."""
    unknown = set(changes) - POOL_EDITABLE_FIELDS
    if unknown:
        raise InvalidRequest(f"These pool fields cannot be changed: {', '.join(sorted(unknown))}.")
    locked = SponsorPool.objects.select_for_update().get(pk=pool.pk)
    values = {
        field: getattr(locked, field)
        for field in (*POOL_EDITABLE_FIELDS, "unit")
        if field != "is_active"
    }
    values.update({key: value for key, value in changes.items() if key != "is_active"})
    if "name" in changes:
        values["name"] = str(changes["name"] or "").strip()
    _validate_pool_values(values, units_used=locked.units_used)
    for field in changes:
        setattr(locked, field, values.get(field, changes[field]))
    if changes:
        locked.save(update_fields=sorted(changes))
    return locked


# ---------- Invitations ----------


def _normalise_email(raw: str) -> str:
    return str(raw or "").strip().lower()


def split_email_list(text: str) -> list[str]:
    """The addresses in pasted text: separated by commas, semicolons, spaces or lines."""
    return [part for part in re.split(r"[\s,;]+", text or "") if part]


@transaction.atomic
def pool_invite(*, pool: SponsorPool, emails: Iterable[str]) -> list[PoolInvite]:
    """Invites email addresses to the pool and returns their invitations (new or
    existing), in the order given. Addresses are trimmed, lower-cased and de-duplicated;
    if any is invalid, nothing is written and the error lists every bad one."""
    if not pool.accepts_invites:
        raise InvalidRequest(
            "This pool is joined with voucher codes only; allow invitations first.",
            code="invites_not_accepted",
        )
    if isinstance(emails, str):
        emails = split_email_list(emails)
    seen: dict[str, None] = {}
    invalid: list[str] = []
    for raw in emails:
        email = _normalise_email(raw)
        if not email:
            continue
        try:
            validate_email(email)
            if len(email) > MAX_EMAIL_LENGTH:
                raise ValidationError("too long")
        except ValidationError:
            invalid.append(str(raw).strip())
            continue
        seen.setdefault(email, None)
    if invalid:
        raise InvalidRequest(
            "These are not valid email addresses: " + ", ".join(invalid), code="invalid_emails"
        )
    if not seen:
        raise InvalidRequest("Give at least one email address.", code="invalid_emails")
    if len(seen) > MAX_INVITES_PER_CALL:
        raise InvalidRequest(
            f"Invite at most {MAX_INVITES_PER_CALL} addresses at a time.", code="too_many"
        )
    wanted = list(seen)
    existing = {
        invite.email.lower(): invite
        for invite in PoolInvite.objects.annotate(email_lower=Lower("email")).filter(
            pool=pool, email_lower__in=wanted
        )
    }
    new = [PoolInvite(pool=pool, email=email) for email in wanted if email not in existing]
    # ignore_conflicts: an administrator inviting the same address at the same moment
    # is not an error; the row is then read back below.
    PoolInvite.objects.bulk_create(new, ignore_conflicts=True)
    by_email = {
        invite.email.lower(): invite
        for invite in PoolInvite.objects.annotate(email_lower=Lower("email")).filter(
            pool=pool, email_lower__in=wanted
        )
    }
    return [by_email[email] for email in wanted]


def _verified_emails(user: User) -> list[str]:
    return sorted(
        {
            email.lower()
            for email in EmailAddress.objects.filter(user=user, verified=True).values_list(
                "email", flat=True
            )
        }
    )


@transaction.atomic
def pool_enroll_by_invite(*, user: User) -> list[PoolEnrollment]:
    """Accepts every open invitation to the user's verified email addresses and returns
    the enrolments they give (new, or already there). Only verified addresses count,
    so nobody can claim an invitation by adding someone else's address. Invitations are
    accepted by the person's own action (a button, an API call), never on sign-in: a
    partner sees the email of everyone enrolled, so enrolment needs their consent."""
    emails = _verified_emails(user)
    if not emails:
        return []
    now = timezone.now()
    invites = (
        PoolInvite.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=emails, pool__is_active=True, pool__partner__is_active=True)
        .exclude(pool__eligibility=SponsorPool.Eligibility.VOUCHER)
        .exclude(pool__ends_at__lte=now)
        .select_related("pool")
        .order_by("invited_at", "pk")
    )
    enrollments: dict[int, PoolEnrollment] = {}
    for invite in invites:
        if invite.accepted_user_id not in (None, user.pk):
            continue  # the address was verified on another account first
        enrollment = _enroll(
            pool=invite.pool, user=user, via=PoolEnrollment.Via.INVITE, invite=invite
        )
        if invite.accepted_user_id is None:
            PoolInvite.objects.filter(pk=invite.pk, accepted_user__isnull=True).update(
                accepted_user=user, accepted_at=now
            )
        enrollments.setdefault(enrollment.pool_id, enrollment)
    return list(enrollments.values())


def _enroll(
    *,
    pool: SponsorPool,
    user: User,
    via: str,
    invite: PoolInvite | None = None,
    voucher: VoucherCode | None = None,
) -> PoolEnrollment:
    """The user's enrolment in the pool, created if missing. A concurrent enrolment of
    the same person is caught by the unique constraint and read back."""
    existing = PoolEnrollment.objects.filter(pool=pool, user=user).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return PoolEnrollment.objects.create(
                pool=pool, user=user, via=via, invite=invite, voucher=voucher
            )
    except IntegrityError:
        return PoolEnrollment.objects.get(pool=pool, user=user)


# ---------- Voucher codes ----------


def voucher_code_generate() -> str:
    """A readable random code such as "K7QM-XR4T-2HWN" (about 59 bits of entropy)."""
    groups = ("".join(secrets.choice(VOUCHER_ALPHABET) for _ in range(4)) for _ in range(3))
    return "-".join(groups)


def _clean_staff_code(raw: str) -> str:
    code = (raw or "").strip().upper()
    key = voucher_code_key(code)
    if (
        not VOUCHER_CODE_PATTERN.match(code)
        or len(code) > VOUCHER_CODE_MAX_LENGTH
        or len(key) < VOUCHER_CODE_MIN_LENGTH
    ):
        raise InvalidRequest(
            f"Voucher codes are {VOUCHER_CODE_MIN_LENGTH}–{VOUCHER_CODE_MAX_LENGTH} letters and "
            "digits, with single hyphens between groups.",
            code="invalid_code",
        )
    return code


@transaction.atomic
def voucher_create(
    *,
    pool: SponsorPool,
    code: str | None = None,
    max_redemptions: int | None = None,
    expires_at: datetime | None = None,
    is_active: bool = True,
) -> VoucherCode:
    """Creates a voucher for the pool: the given code (normalised to upper case), or a
    generated readable one when none is given."""
    if not pool.accepts_vouchers:
        raise InvalidRequest(
            "This pool is joined by invitation only; allow voucher codes first.",
            code="vouchers_not_accepted",
        )
    if max_redemptions is not None and (
        not isinstance(max_redemptions, int)
        or isinstance(max_redemptions, bool)
        or max_redemptions < 1
    ):
        raise InvalidRequest("A voucher must allow at least one redemption, or no limit.")
    if expires_at is not None and timezone.is_naive(expires_at):
        raise InvalidRequest("The expiry needs a time zone.")
    if code:
        code = _clean_staff_code(code)
        if _voucher_by_key(voucher_code_key(code)).exists():
            raise Conflict("A voucher with this code already exists.", code="code_taken")
        candidates = [code]
    else:
        candidates = [voucher_code_generate() for _ in range(5)]
    for candidate in candidates:
        try:
            with transaction.atomic():
                return VoucherCode.objects.create(
                    pool=pool,
                    code=candidate,
                    max_redemptions=max_redemptions,
                    expires_at=expires_at,
                    is_active=is_active,
                )
        except IntegrityError:
            continue  # taken a moment ago (given code) or a generated collision
    raise Conflict("A voucher with this code already exists.", code="code_taken")


@transaction.atomic
def voucher_update(*, voucher: VoucherCode, changes: Mapping[str, Any]) -> VoucherCode:
    """Changes a voucher's limit, expiry or active flag under its row lock, writing only
    those columns so a concurrent redemption is never overwritten."""
    unknown = set(changes) - VOUCHER_EDITABLE_FIELDS
    if unknown:
        raise InvalidRequest(
            f"These voucher fields cannot be changed: {', '.join(sorted(unknown))}."
        )
    locked = VoucherCode.objects.select_for_update().get(pk=voucher.pk)
    if "max_redemptions" in changes:
        limit = changes["max_redemptions"]
        if limit is not None and (not isinstance(limit, int) or limit < 1):
            raise InvalidRequest("A voucher must allow at least one redemption, or no limit.")
        if limit is not None and limit < locked.redemptions:
            raise InvalidRequest(
                f"Already redeemed {locked.redemptions} times; allow at least that many.",
                code="below_redemptions",
            )
    expires_at = changes.get("expires_at")
    if expires_at is not None and timezone.is_naive(expires_at):
        raise InvalidRequest("The expiry needs a time zone.")
    for field, value in changes.items():
        setattr(locked, field, value)
    if changes:
        locked.save(update_fields=sorted(changes))
    return locked


def _voucher_by_key(key: str):
    return VoucherCode.objects.annotate(code_key=voucher_code_key_expression()).filter(code_key=key)


def voucher_code_parse(raw: str) -> str:
    """The matching key of what a person typed, or InvalidRequest when it cannot be a
    code at all (so the caller learns it mistyped before any lookup)."""
    if not isinstance(raw, str):
        raise InvalidRequest("Enter your voucher code.", code="invalid_code")
    key = voucher_code_key(raw)
    if not key:
        raise InvalidRequest("Enter your voucher code.", code="invalid_code")
    if (
        not key.isascii()
        or not key.isalnum()
        or not VOUCHER_CODE_MIN_LENGTH <= len(key) <= VOUCHER_CODE_MAX_LENGTH
    ):
        raise InvalidRequest(
            "That is not a voucher code: codes are letters and digits, like K7QM-XR4T-2HWN.",
            code="invalid_code",
        )
    return key


@transaction.atomic
def pool_enroll_with_voucher(*, user: User, code: str) -> PoolEnrollment:
    """Redeems a voucher code: enrols the user in its pool and counts the redemption.

    Case, spaces and hyphens in `code` are ignored. Someone already enrolled in the pool
    gets their enrolment back and uses up no redemption; the returned enrolment's
    `is_new` says whether this call enrolled them (callers say "you already joined"
    rather than "you've joined" again). Errors: a malformed code is
    InvalidRequest (400, "invalid_code"); an unknown or withdrawn code, or one whose
    partner or pool is inactive, is NotFound (404, "voucher_not_found"); an expired code
    or ended pool is Conflict "voucher_expired"; a used-up code is Conflict
    "voucher_exhausted"; a pool with nothing left is Conflict "pool_exhausted"."""
    key = voucher_code_parse(code)
    # Locks the voucher row: concurrent redemptions of one code queue here, so the
    # redemption count is read and raised by one transaction at a time.
    voucher = (
        _voucher_by_key(key).select_for_update(of=("self",)).select_related("pool__partner")
    ).first()
    if voucher is None:
        raise NotFound("We don't recognise that voucher code.", code="voucher_not_found")
    pool = voucher.pool
    if not (voucher.is_active and pool.is_active and pool.partner.is_active):
        raise NotFound("We don't recognise that voucher code.", code="voucher_not_found")
    if not pool.accepts_vouchers:
        raise NotFound("We don't recognise that voucher code.", code="voucher_not_found")
    existing = PoolEnrollment.objects.filter(pool=pool, user=user).first()
    if existing is not None:
        existing.is_new = False
        return existing
    now = timezone.now()
    if (voucher.expires_at is not None and voucher.expires_at <= now) or pool.has_ended(at=now):
        raise Conflict("This voucher code has expired.", code="voucher_expired")
    if voucher.max_redemptions is not None and voucher.redemptions >= voucher.max_redemptions:
        raise Conflict("This voucher code has been used up.", code="voucher_exhausted")
    if pool.units_used >= pool.units_funded:
        raise Conflict("Everything this partner funded has been used.", code="pool_exhausted")
    enrollment = _enroll(pool=pool, user=user, via=PoolEnrollment.Via.VOUCHER, voucher=voucher)
    # A concurrent enrolment through another code or an invitation may have won the
    # unique (pool, user) row: only a row this redemption made counts against the code.
    enrollment.is_new = (
        enrollment.voucher_id == voucher.pk and enrollment.via == PoolEnrollment.Via.VOUCHER
    )
    if enrollment.is_new:
        VoucherCode.objects.filter(pk=voucher.pk).update(redemptions=F("redemptions") + 1)
    return enrollment


# ---------- Draws ----------


def _client_units_drawn(*, pool: SponsorPool, user: User) -> int:
    total = PoolDraw.objects.filter(pool=pool, user=user, reversed_at__isnull=True).aggregate(
        total=Sum("units")
    )["total"]
    return total or 0


@transaction.atomic
def pool_draw(
    *, pool: SponsorPool, user: User, units: int, source_type: str, source_id: str
) -> PoolDraw:
    """Takes `units` from the pool for the user, on behalf of `source` (a booking).

    Idempotent on the source: drawing again for the same source returns the first draw.
    Errors: the user is not enrolled → NotFound (the pool's existence is not revealed);
    the pool is paused, not started or ended → Conflict "pool_closed"; the user's cap
    would be passed → Conflict "cap_reached"; the pool has too little left → Conflict
    "pool_exhausted"; the source already drew differently → Conflict "source_conflict"."""
    if not isinstance(units, int) or isinstance(units, bool) or units < 1:
        raise InvalidRequest("Draw at least one unit.")
    source_type, source_id = str(source_type or "").strip(), str(source_id or "").strip()
    if not source_type or not source_id:
        raise InvalidRequest("A draw needs its source (type and id).")
    if len(source_type) > 64 or len(source_id) > 255:
        raise InvalidRequest("The draw's source is too long.")
    # The pool row lock serializes every draw and reversal on this pool: remaining units
    # and the client's cap are read and changed by one transaction at a time.
    locked = (
        SponsorPool.objects.select_for_update(of=("self",))
        .select_related("partner")
        .filter(pk=pool.pk)
        .first()
    )
    if locked is None:
        raise NotFound("No such sponsorship.", code="pool_not_found")
    existing = PoolDraw.objects.filter(source_type=source_type, source_id=source_id).first()
    if existing is not None:
        return _same_draw_or_conflict(existing, pool=locked, user=user, units=units)
    if not PoolEnrollment.objects.filter(pool=locked, user=user).exists():
        raise NotFound("No such sponsorship.", code="pool_not_found")
    if not locked.is_open():
        raise Conflict("This sponsorship is not available now.", code="pool_closed")
    already = _client_units_drawn(pool=locked, user=user)
    if already + units > locked.per_client_cap:
        raise Conflict(
            f"This would pass your limit of {locked.per_client_cap} "
            f"{locked.get_unit_display().lower()} from this sponsorship ({already} used).",
            code="cap_reached",
        )
    if locked.units_used + units > locked.units_funded:
        raise Conflict("Everything this partner funded has been used.", code="pool_exhausted")
    try:
        with transaction.atomic():
            draw = PoolDraw.objects.create(
                pool=locked, user=user, units=units, source_type=source_type, source_id=source_id
            )
    except IntegrityError:
        # The same source drew from another pool at the same moment.
        existing = PoolDraw.objects.get(source_type=source_type, source_id=source_id)
        return _same_draw_or_conflict(existing, pool=locked, user=user, units=units)
    SponsorPool.objects.filter(pk=locked.pk).update(units_used=F("units_used") + units)
    return draw


def _same_draw_or_conflict(
    existing: PoolDraw, *, pool: SponsorPool, user: User, units: int
) -> PoolDraw:
    if existing.pool_id != pool.pk or existing.user_id != user.pk or existing.units != units:
        raise Conflict("This booking already drew differently.", code="source_conflict")
    if existing.reversed_at is not None:
        raise Conflict("This booking's draw was returned.", code="draw_reversed")
    return existing


@transaction.atomic
def pool_draw_reverse(*, draw: PoolDraw, source_type: str, source_id: str) -> PoolDraw:
    """Returns a draw's units to its pool (a cancelled booking), keeping the draw as a
    record. Idempotent: reversing again returns the reversed draw unchanged."""
    source_type, source_id = str(source_type or "").strip(), str(source_id or "").strip()
    if not source_type or not source_id:
        raise InvalidRequest("A reversal needs its source (type and id).")
    if len(source_type) > 64 or len(source_id) > 255:
        raise InvalidRequest("The reversal's source is too long.")
    SponsorPool.objects.select_for_update().filter(pk=draw.pool_id).first()
    locked = PoolDraw.objects.get(pk=draw.pk)
    if locked.reversed_at is not None:
        return locked
    locked.reversed_at = timezone.now()
    locked.reversal_source_type = source_type
    locked.reversal_source_id = source_id
    locked.save(update_fields=["reversed_at", "reversal_source_type", "reversal_source_id"])
    SponsorPool.objects.filter(pk=locked.pool_id).update(units_used=F("units_used") - locked.units)
    return locked


def pool_invites_erase(subject: ErasureSubject) -> int:
    """Eraser: invitations sent to the person's email. One not yet accepted is deleted;
    an accepted one stays (it explains the enrolment and its draws) with the address
    replaced."""
    invites = PoolInvite.objects.filter(email__iexact=subject.email)
    if subject.user is not None:
        invites = invites | PoolInvite.objects.filter(accepted_user=subject.user)
    changed = 0
    for invite in invites.select_for_update():
        if invite.accepted_user_id is None:
            invite.delete()
        else:
            invite.email = f"erased-{invite.pk}@invalid"
            invite.save(update_fields=["email"])
        changed += 1
    return changed
