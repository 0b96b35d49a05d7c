"""Learner pages: lessons (served by LessonPage.serve), enrolling, card checkout return,
My learning, certificate download (private) and verification (public)."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from cms.courses.certificates import certificate_pdf
from cms.courses.errors import LessonNotAvailable
from cms.courses.models import Certificate, CoursePage, LessonPage, LessonProgress
from cms.courses.selectors import certificate_by_code, learning_for, lesson_neighbours
from cms.courses.services import (
    course_enrol,
    course_start_card_checkout,
    enrolment_is_active,
    lesson_progress_record,
)
from cms.courses.services.progress import course_of_lesson, lesson_available_at
from cms.library.selectors import MAX_PAGE_ID
from commerce.credits.wording import credit_count
from commerce.errors import CommerceError, InsufficientCredits
from commerce.payments.services import checkout_session_sync
from integrations.stripe import get_gateway
from integrations.stripe.types import StripeError

logger = logging.getLogger(__name__)


def _render_lesson(request, lesson, *, context: dict, status: int = 200):
    answers = context.pop("answers", {})
    context = {**lesson.get_context(request), **context}
    # A checked quiz shows the learner the answers they gave, not an empty form.
    for question in context.get("questions", []):
        question["chosen"] = answers.get(question["id"], "")
    return TemplateResponse(request, "courses/lesson_page.html", context, status=status)


def lesson_serve(request: HttpRequest, *, lesson: LessonPage) -> HttpResponse:
    """A lesson for an enrolled learner once it has dripped open. Others see what it is
    and how to get in (403), never its content; editors' previews skip the checks."""
    course = course_of_lesson(lesson)
    if course is None:
        raise Http404
    if getattr(request, "is_preview", False):
        return _render_lesson(request, lesson, context={"is_preview": True})
    user = request.user
    enrolment = None
    if user.is_authenticated:
        enrolment = course.enrolments.filter(user=user).first()
    if enrolment is None or not enrolment_is_active(enrolment=enrolment, user=user):
        return TemplateResponse(
            request,
            "courses/lesson_locked.html",
            {"page": lesson, "course": course, "reason": "not_enrolled"},
            status=403,
        )
    available_at = lesson_available_at(lesson=lesson, enrolment=enrolment)
    if available_at > timezone.now():
        return TemplateResponse(
            request,
            "courses/lesson_locked.html",
            {"page": lesson, "course": course, "reason": "drip", "available_at": available_at},
        )
    context: dict = {}
    if request.method == "POST":
        result = _record_from_form(request, lesson)
        if isinstance(result, HttpResponse):
            return result
        context.update(result)
    progress = LessonProgress.objects.filter(enrolment=enrolment, lesson=lesson).first()
    context["progress"] = progress
    return _render_lesson(request, lesson, context=context)


def _record_from_form(request: HttpRequest, lesson: LessonPage) -> dict | HttpResponse:
    if lesson.kind == LessonPage.Kind.QUIZ:
        answers = {
            key.removeprefix("q-"): value
            for key, value in request.POST.items()
            if key.startswith("q-")
        }
        kwargs = {"answers": answers}
    else:
        kwargs = {"completed": True}
    try:
        result = lesson_progress_record(user=request.user, lesson=lesson, **kwargs)
    except LessonNotAvailable as error:
        messages.error(request, error.detail)
        return redirect(lesson.get_url(request))
    except CommerceError as error:
        # Nothing was recorded (an unanswered quiz is not an attempt); the learner's
        # answers so far stay on the form.
        return {"form_error": error.detail, **({"answers": answers} if "answers" in kwargs else {})}
    if result.course_completed_now:
        messages.success(
            request,
            format_html(
                'You have completed the course. Your certificate is ready in <a href="{}">My'
                " learning</a>.",
                reverse("my-learning"),
            ),
        )
    if lesson.kind == LessonPage.Kind.QUIZ:
        return {"quiz_result": result.quiz, "answers": answers}
    messages.success(request, f"“{lesson.title}” is marked as done.")
    course = course_of_lesson(lesson)
    _, following = lesson_neighbours(lesson=lesson, course=course) if course else (None, None)
    return redirect((following or lesson).get_url(request))


def _live_course(course_id: int) -> CoursePage:
    if course_id > MAX_PAGE_ID:
        raise Http404
    return get_object_or_404(
        CoursePage.objects.live().public().select_related("instructor"), pk=course_id
    )


@login_required
@require_POST
def course_enrol_view(request: HttpRequest, course_id: int) -> HttpResponse:
    """The course page's enrol buttons: included, credits, or card (off to Checkout)."""
    course = _live_course(course_id)
    pay_with = request.POST.get("pay_with", "")
    course_url = course.get_url(request)
    if pay_with == "card":
        if course.enrolments.filter(user=request.user, ended_at__isnull=True).exists():
            return redirect(course_url)
        success_url = (
            request.build_absolute_uri(reverse("course-paid", args=[course.pk]))
            + "?session_id={CHECKOUT_SESSION_ID}"
        )
        cancel_url = request.build_absolute_uri(
            reverse("course-checkout-cancelled", args=[course.pk])
        )
        try:
            payment = course_start_card_checkout(
                user=request.user, course=course, success_url=success_url, cancel_url=cancel_url
            )
        except CommerceError as error:
            messages.error(request, error.detail)
            return redirect(course_url)
        except StripeError:
            messages.error(request, "Card payments are unavailable right now. Please try again.")
            return redirect(course_url)
        return HttpResponseRedirect(payment.checkout_url, status=303)
    try:
        enrolment, created = course_enrol(user=request.user, course=course, pay_with=pay_with)
    except InsufficientCredits:
        messages.error(
            request,
            f"You need {credit_count(course.credit_price)} for this course. "
            "Buy more credits or choose another way to enrol.",
        )
        return redirect(course_url)
    except CommerceError as error:
        messages.error(request, error.detail)
        return redirect(course_url)
    if created:
        messages.success(request, f"You are enrolled in “{course.title}”.")
    return redirect(course_url)


@login_required
def course_paid_view(request: HttpRequest, course_id: int) -> HttpResponse:
    """Checkout's return page: applies the paid session at once (the webhook's later
    effects are then no-ops) and goes back to the course."""
    course = _live_course(course_id)
    session_id = request.GET.get("session_id", "")[:255]
    payment = (
        request.user.payments.filter(checkout_session_id=session_id).first() if session_id else None
    )
    if payment is not None:
        try:
            session = get_gateway().retrieve_checkout_session(session_id)
        except StripeError:
            session = None
        if session is not None:
            # Recording the payment reconciles it, which enrols the buyer (the
            # payment_reconciled receiver); the webhook's later delivery is then a no-op.
            checkout_session_sync(session=session)
    if course.enrolments.filter(user=request.user, ended_at__isnull=True).exists():
        messages.success(request, f"Payment received. You are enrolled in “{course.title}”.")
    else:
        messages.info(request, "We are waiting for your card payment to be confirmed.")
    return redirect(course.get_url(request))


@login_required
def course_checkout_cancelled_view(request: HttpRequest, course_id: int) -> HttpResponse:
    course = _live_course(course_id)
    messages.info(request, "You left the checkout; nothing was charged.")
    return redirect(course.get_url(request))


@login_required
def my_learning_view(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(
        request, "courses/my_learning.html", {"rows": learning_for(user=request.user)}
    )


@login_required
def certificate_download_view(request: HttpRequest, code: str) -> HttpResponse:
    """The certificate PDF, for its learner only (404 for anyone else)."""
    certificate = certificate_by_code(code)
    if certificate is None:
        raise Http404
    certificate = (
        Certificate.objects.select_related("enrolment")
        .filter(pk=certificate.pk, enrolment__user=request.user)
        .first()
    )
    if certificate is None:
        raise Http404
    response = HttpResponse(
        certificate_pdf(certificate=certificate, request=request), content_type="application/pdf"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="aeyia-certificate-{certificate.code}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


def certificate_verify_view(request: HttpRequest, code: str) -> HttpResponse:
    """Public check of a certificate code: name, course, date and instructor only."""
    certificate = certificate_by_code(code)
    if certificate is None:
        return TemplateResponse(
            request, "courses/certificate_verify.html", {"code": code[:32]}, status=404
        )
    return TemplateResponse(
        request, "courses/certificate_verify.html", {"certificate": certificate}
    )
