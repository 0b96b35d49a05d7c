"""A course bought by card follows its payment through the offline Stripe: refunded in full
or disputed ends the enrolment, a dispute won or a new purchase reopens it; and a course
bought with credits pays its instructor."""

import pytest

from cms.courses.models import Enrolment
from cms.courses.services import course_enrol, course_start_card_checkout, lesson_progress_record
from cms.library.models import ContentPurchase
from commerce.payments.models import Payment, Transfer
from commerce.payments.services import platform_fee_for, refund_create
from integrations.stripe.local import simulator
from tests.accounts.factories import UserFactory
from tests.cms.courses.factories import CourseFactory, give_credits, short_course
from tests.commerce.bookings.booking_setup import onboard_payouts
from tests.commerce.payments import events

pytestmark = pytest.mark.django_db

PRICE = 4500


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def card_course(capture, **fields):
    course, text, quiz = short_course(access_level="premium", price=PRICE, **fields)
    onboard_payouts(course.instructor.user, capture)
    return course, text, quiz


def buy_by_card(course, user, capture) -> Payment:
    with capture(execute=True):
        payment = course_start_card_checkout(
            user=user, course=course, success_url="http://testserver/ok", cancel_url="http://x/"
        )
    with capture(execute=True):
        simulator.checkout_pay(payment.checkout_session_id)
    payment.refresh_from_db()
    return payment


def refund(payment, capture, amount=None) -> None:
    with capture(execute=True):
        refund_create(
            payment=payment, amount=amount, reason="requested_by_customer", created_by=None
        )


def enrolment_of(user, course) -> Enrolment:
    return Enrolment.objects.get(user=user, course=course)


def test_paying_by_card_enrols_once_through_the_webhook(capture):
    course, _, _ = card_course(capture)
    user = UserFactory()
    payment = buy_by_card(course, user, capture)

    enrolment = enrolment_of(user, course)
    assert payment.status == Payment.Status.PAID
    assert enrolment.source == Enrolment.Source.CARD and enrolment.payment == payment
    assert enrolment.ended_at is None
    assert ContentPurchase.objects.filter(user=user, reference=f"payment:{payment.pk}").exists()


def test_a_full_refund_ends_the_course_and_buying_again_reopens_it_with_progress(client, capture):
    course, text, quiz = card_course(capture)
    user = UserFactory()
    payment = buy_by_card(course, user, capture)
    lesson_progress_record(user=user, lesson=text, completed=True)

    refund(payment, capture)

    payment.refresh_from_db()
    enrolment = enrolment_of(user, course)
    assert payment.status == Payment.Status.REFUNDED
    assert enrolment.ended_at is not None
    assert enrolment.end_reason == Enrolment.EndReason.REFUNDED
    assert not ContentPurchase.objects.filter(user=user, page_id=course.pk).exists()
    client.force_login(user)
    assert client.get(text.url).status_code in (302, 403, 404)
    page = client.get(course.url).content.decode()
    assert "Your access to this course ended" in page and "Buy for" in page
    learning = client.get("/account/learning/").content.decode()
    assert "Access ended on" in learning and "Enrol again" in learning
    assert quiz.url not in learning  # no resume link into a lesson that is closed

    second = buy_by_card(course, user, capture)

    enrolment.refresh_from_db()
    assert enrolment.ended_at is None and enrolment.end_reason == ""
    assert enrolment.payment == second
    assert enrolment.progress.filter(lesson=text, completed_at__isnull=False).exists()
    assert client.get(text.url).status_code == 200


def test_a_partial_refund_keeps_the_course_open(capture):
    course, _, _ = card_course(capture)
    user = UserFactory()
    payment = buy_by_card(course, user, capture)

    refund(payment, capture, amount=1000)

    payment.refresh_from_db()
    assert payment.status == Payment.Status.PARTIALLY_REFUNDED
    assert enrolment_of(user, course).ended_at is None


def test_a_dispute_ends_the_course_and_a_dispute_won_reopens_it(capture):
    course, _, _ = card_course(capture)
    user = UserFactory()
    payment = buy_by_card(course, user, capture)

    with capture(execute=True):
        simulator.dispute(payment.payment_intent_id)
    enrolment = enrolment_of(user, course)
    assert enrolment.ended_at is not None
    assert enrolment.end_reason == Enrolment.EndReason.DISPUTED

    with capture(execute=True):
        simulator.dispute(payment.payment_intent_id, outcome="won")
    enrolment.refresh_from_db()
    assert enrolment.ended_at is None and enrolment.payment == payment


@pytest.mark.parametrize("order", ["in order", "refund first"])
def test_a_refund_delivered_before_its_payment_ends_the_same_way(client, capture, order):
    course, _, _ = card_course(capture)
    user = UserFactory()
    with capture(execute=True):
        payment = course_start_card_checkout(
            user=user, course=course, success_url="http://testserver/ok", cancel_url="http://x/"
        )
    paid = events.checkout_completed(payment)
    refunded = events.charge_refunded(payment, amount_refunded=payment.amount)
    for event in [paid, refunded] if order == "in order" else [refunded, paid]:
        with capture(execute=True):
            assert events.deliver(client, event).status_code == 200

    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED
    active = Enrolment.objects.filter(user=user, course=course, ended_at__isnull=True)
    assert not active.exists()
    assert not ContentPurchase.objects.filter(user=user, page_id=course.pk).exists()


def test_the_api_offers_a_new_checkout_once_the_course_has_ended(client, capture):
    course, _, _ = card_course(capture)
    user = UserFactory()
    refund(buy_by_card(course, user, capture), capture)
    client.force_login(user)

    response = client.post(
        f"/api/v1/courses/{course.pk}/enroll/",
        {"pay_with": "card"},
        content_type="application/json",
    )

    assert response.status_code == 202, response.content
    assert response.json()["checkout_url"]


def test_credits_pay_the_instructor_the_card_price_less_the_fee_once(capture):
    course, _, _ = card_course(capture)
    user = UserFactory()
    give_credits(user, 10)

    with capture(execute=True):
        course_enrol(user=user, course=course, pay_with="credits")
        course_enrol(user=user, course=course, pay_with="credits")

    transfer = Transfer.objects.get(source_type="course-credits")
    assert transfer.destination.owner == course.instructor.user
    assert transfer.gross_amount == PRICE
    assert transfer.amount == PRICE - platform_fee_for(PRICE)
    assert transfer.status == Transfer.Status.CREATED and transfer.stripe_id


@pytest.mark.parametrize("case", ["no card price", "no payout account"])
def test_credits_pay_no_one_without_a_price_or_a_payout_account(capture, case):
    if case == "no card price":
        course, _, _ = card_course(capture)
        course.price = None
        course.save()
    else:
        course = CourseFactory(access_level="credits")
    user = UserFactory()
    give_credits(user, 10)

    enrolment, created = course_enrol(user=user, course=course, pay_with="credits")

    assert created and enrolment.source == Enrolment.Source.CREDITS
    assert not Transfer.objects.exists()


def test_premium_members_are_not_sent_to_pay_by_card_for_an_included_course(capture):
    """Premium includes every course: opening a card checkout for one is a conflict
    (already_included), and no payment is created."""
    from commerce.errors import Conflict
    from tests.cms.library.factories import make_member

    course, _, _ = card_course(capture)  # a premium-level course sold by card
    user = UserFactory()
    make_member(user, level="premium")

    with pytest.raises(Conflict) as raised:
        course_start_card_checkout(
            user=user,
            course=course,
            success_url="http://testserver/ok",
            cancel_url="http://testserver/no",
        )

    assert raised.value.api_code == "already_included"
    assert not Payment.objects.filter(user=user).exists()
