"""Enrolling in a course: included in the learner's access level, bought with credits (the
instructor is paid the course's card price less our fee by transfer), or bought by card (a
destination charge that pays the instructor through Stripe Connect). A card purchase
follows its payment's facts: refunded in full or disputed ends the enrolment, paid again
(a dispute won) reopens it."""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from cms.courses.errors import NotIncluded
from cms.courses.models import CoursePage, Enrolment
from cms.library.entitlements import (
    content_purchase_record,
    content_purchase_revoke,
    content_purchase_with_credits,
    has_access,
    tier_opens,
    viewer_tier,
)
from commerce.errors import Conflict, InvalidRequest
from commerce.payments.models import ConnectedAccount, Payment
from commerce.payments.services import payment_checkout_create, refund_create, transfer_create

COURSE_SOURCE_TYPE = "course"
CREDITS_EARNING_SOURCE_TYPE = "course-credits"
PAY_WITH_CHOICES = ("membership", "credits", "card")
# A checkout opened this recently is offered again instead of opening a second one, so a
# double click cannot lead to paying twice.
CHECKOUT_REUSE_WINDOW = timedelta(hours=1)


def _require_learner(user: User) -> None:
    if user is None or not user.is_authenticated:
        raise InvalidRequest("Sign in to enrol.", code="not_authenticated")


def _create_enrolment(
    *, user: User, course: CoursePage, source: str, payment: Payment | None = None
) -> tuple[Enrolment, bool]:
    """The enrolment, created once: a concurrent request that got there first wins (the
    unique (user, course) constraint decides) and its row is returned. An enrolment that
    had ended (its card payment refunded) is reopened with the new source; its progress
    is kept."""
    ended = (
        Enrolment.objects.select_for_update()
        .filter(user=user, course=course, ended_at__isnull=False)
        .first()
    )
    if ended is not None:
        ended.ended_at = None
        ended.end_reason = ""
        ended.source = source
        ended.payment = payment
        ended.save(update_fields=["ended_at", "end_reason", "source", "payment"])
        return ended, True
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                user=user,
                course=course,
                source=source,
                payment=payment,
                enrolled_at=timezone.now(),
            )
            return enrolment, True
    except IntegrityError:
        existing = Enrolment.objects.filter(user=user, course=course).first()
        if existing is None:
            raise
        return existing, False


def _source_for_access(*, user: User, course: CoursePage) -> str:
    if tier_opens(tier=viewer_tier(user), access_level=course.access_level):
        return Enrolment.Source.MEMBERSHIP
    from cms.library.models import ContentPurchase

    purchase = ContentPurchase.objects.filter(user=user, page_id=course.pk).first()
    if purchase is not None and purchase.source == ContentPurchase.Source.CARD:
        return Enrolment.Source.CARD
    return Enrolment.Source.CREDITS


@transaction.atomic
def course_enrol(*, user: User, course: CoursePage, pay_with: str) -> tuple[Enrolment, bool]:
    """Enrols `user` in `course` and returns (enrolment, created). Idempotent: an existing
    enrolment is returned as it is, whatever `pay_with` says, and nothing is charged.
    Someone the course already opens for (their level, or an earlier purchase) is enrolled
    without paying. Otherwise "membership" raises NotIncluded (403) and "credits" spends
    the course's credit price once (InsufficientCredits → 402). Card purchases go through
    course_start_card_checkout."""
    _require_learner(user)
    if pay_with not in ("membership", "credits"):
        raise InvalidRequest("Choose membership or credits.", code="invalid_pay_with")
    existing = Enrolment.objects.filter(user=user, course=course, ended_at__isnull=True).first()
    if existing is not None:
        return existing, False
    if has_access(user=user, page=course, access_level=course.access_level):
        return _create_enrolment(
            user=user, course=course, source=_source_for_access(user=user, course=course)
        )
    if pay_with == "membership":
        raise NotIncluded("This course is not included in your membership.")
    if not course.credit_price:
        raise InvalidRequest("This course is not sold for credits.", code="not_sold_for_credits")
    purchase = content_purchase_with_credits(user=user, page=course, credits=course.credit_price)
    if purchase.is_new:
        _pay_instructor_for_credits(course=course, purchase_id=purchase.pk)
    return _create_enrolment(user=user, course=course, source=Enrolment.Source.CREDITS)


def _pay_instructor_for_credits(*, course: CoursePage, purchase_id: int) -> None:
    """A course bought with credits pays its instructor what a card sale would: the
    course's card price less our fee, by transfer to their connected account, once per
    purchase. A course with no card price has no money worth to share, and an instructor
    without a payout account is paid nothing (as for sessions paid with credits)."""
    if not course.price:
        return
    account = ConnectedAccount.objects.filter(owner_id=course.instructor.user_id).first()
    if account is None:
        return
    transfer_create(
        destination=account,
        gross_amount=course.price,
        currency=course.currency,
        source_type=CREDITS_EARNING_SOURCE_TYPE,
        source_id=str(purchase_id),
        description=f"Course bought with credits: {course.title}"[:200],
    )


def course_pending_checkout(*, user: User, course: CoursePage, now: datetime) -> Payment | None:
    return (
        Payment.objects.filter(
            user=user,
            purpose=Payment.Purpose.COURSE,
            source_type=COURSE_SOURCE_TYPE,
            source_id=str(course.pk),
            status=Payment.Status.PENDING,
            is_expired=False,
            created_at__gte=now - CHECKOUT_REUSE_WINDOW,
        )
        .exclude(checkout_url="")
        .first()
    )


@transaction.atomic
def course_start_card_checkout(
    *,
    user: User,
    course: CoursePage,
    success_url: str,
    cancel_url: str,
    now: datetime | None = None,
) -> Payment:
    """Opens a Stripe Checkout for the course's card price: a destination charge to the
    instructor's connected account carrying the platform fee. The enrolment is made when
    Stripe reports the payment (webhook or return page: course_card_payment_reconcile).
    Already enrolled → Conflict "already_enrolled"; included in the learner's membership
    (Premium includes every course) → Conflict "already_included"; no card price →
    InvalidRequest;
    instructor without payouts → Conflict "payouts_not_ready"."""
    _require_learner(user)
    moment = timezone.now() if now is None else now
    if Enrolment.objects.filter(user=user, course=course, ended_at__isnull=True).exists():
        raise Conflict("You are already enrolled.", code="already_enrolled")
    if not course.price:
        raise InvalidRequest("This course is not sold by card.", code="not_sold_by_card")
    if tier_opens(tier=viewer_tier(user), access_level=course.access_level):
        raise Conflict(
            "Your membership already includes this course; enrol without paying.",
            code="already_included",
        )
    pending = course_pending_checkout(user=user, course=course, now=moment)
    if pending is not None:
        return pending
    account = ConnectedAccount.objects.filter(owner_id=course.instructor.user_id).first()
    if account is None or not account.charges_enabled:
        raise Conflict("This instructor cannot take card payments yet.", code="payouts_not_ready")
    return payment_checkout_create(
        user=user,
        purpose=Payment.Purpose.COURSE,
        description=f"Course: {course.title}"[:200],
        amount=course.price,
        currency=course.currency,
        success_url=success_url,
        cancel_url=cancel_url,
        destination=account,
        source_type=COURSE_SOURCE_TYPE,
        source_id=str(course.pk),
    )


def _in_good_standing(payment: Payment) -> bool:
    return (
        payment.paid_at is not None
        and payment.amount_refunded < payment.amount
        and not payment.is_disputed
    )


@transaction.atomic
def course_card_payment_reconcile(*, payment: Payment) -> Enrolment | None:
    """Brings a course's card purchase in line with what Stripe reported for `payment`,
    whichever of the webhook and the return page comes first, in any order and as often
    as it is called:
    - paid (not refunded in full, not disputed): record the purchase and enrol the buyer
      once; a second payment for a course the buyer already holds is refunded in full;
    - refunded in full or disputed: end the enrolment this payment bought and take back
      the purchase (a partial refund is a goodwill gesture and keeps the course open)."""
    if payment.purpose != Payment.Purpose.COURSE:
        return None
    if payment.source_type != COURSE_SOURCE_TYPE or not payment.source_id.isdigit():
        return None
    course = CoursePage.objects.filter(pk=int(payment.source_id)).first()
    if course is None:
        return None
    user = payment.user
    existing = Enrolment.objects.select_for_update().filter(user=user, course=course).first()
    reference = f"payment:{payment.pk}"
    if not _in_good_standing(payment):
        if payment.paid_at is None or existing is None or existing.payment_id != payment.pk:
            return existing
        if existing.ended_at is None:
            existing.ended_at = timezone.now()
            reasons = Enrolment.EndReason
            existing.end_reason = reasons.DISPUTED if payment.is_disputed else reasons.REFUNDED
            existing.save(update_fields=["ended_at", "end_reason"])
        content_purchase_revoke(source="card", reference=reference)
        return existing
    if existing is not None and existing.ended_at is None:
        if existing.payment_id != payment.pk:
            try:
                refund_create(
                    payment=payment,
                    amount=None,
                    reason="duplicate",
                    note="Paid for a course the buyer was already enrolled in.",
                    created_by=None,
                )
            except Conflict:
                pass  # already refunded
        return existing
    content_purchase_record(user=user, page=course, source="card", reference=reference)
    enrolment, _ = _create_enrolment(
        user=user, course=course, source=Enrolment.Source.CARD, payment=payment
    )
    return enrolment


def course_payment_reconciled(*, sender, payment: Payment, **kwargs) -> None:
    """payment_reconciled receiver (connected in apps.ready)."""
    course_card_payment_reconcile(payment=payment)


def enrolment_is_active(*, enrolment: Enrolment, user: User) -> bool:
    """Whether the enrolment still opens the course: a bought course stays open; one that
    came with a membership needs the learner's level to still include it; one whose card
    payment was refunded or disputed has ended."""
    if enrolment.ended_at is not None:
        return False
    if enrolment.source != Enrolment.Source.MEMBERSHIP:
        return True
    course = enrolment.course
    return has_access(user=user, page=course, access_level=course.access_level)
