"""Courses under /api/v1/: GET courses/ (public catalogue, with the caller's progress),
POST courses/{id}/enroll/, POST lessons/{id}/progress/ (signed in) and
GET certificates/{code}/ (public verification)."""

from django.urls import path, reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from cms.courses.errors import LessonNotAvailable
from cms.courses.models import Enrolment, LessonPage
from cms.courses.selectors import (
    certificate_by_code,
    course_summaries,
    courses_live,
    percent_complete,
)
from cms.courses.services import (
    course_enrol,
    course_start_card_checkout,
    lesson_progress_record,
)
from commerce.errors import NotFound
from config.pagination import StrictLimitOffsetPagination
from config.schema import errors

MAX_ID = 2**31 - 1


# Stripe Checkout's page; in the embedded mode a path on this site (the local simulator).
CHECKOUT_URL = serializers.CharField(help_text="Where to pay.")


class EnrolmentSerializer(serializers.ModelSerializer):
    course = serializers.IntegerField(source="course_id")
    # Blank while the enrolment is open: the schema must allow "" besides the reasons.
    end_reason = serializers.ChoiceField(
        choices=Enrolment.EndReason.choices, allow_blank=True, read_only=True
    )
    certificate_code = serializers.SerializerMethodField()

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "course",
            "source",
            "enrolled_at",
            "completed_at",
            "ended_at",
            "end_reason",
            "certificate_code",
        ]
        read_only_fields = fields

    def get_certificate_code(self, enrolment: Enrolment) -> str | None:
        certificate = getattr(enrolment, "certificate", None)
        return certificate.code if certificate else None


class CourseSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="course.pk")
    title = serializers.CharField(source="course.title")
    slug = serializers.CharField(source="course.slug")
    url = serializers.SerializerMethodField()
    summary = serializers.CharField(source="course.summary")
    instructor = serializers.SerializerMethodField()
    access_level = serializers.CharField(source="course.access_level")
    credit_price = serializers.IntegerField(source="course.credit_price", allow_null=True)
    price = serializers.IntegerField(source="course.price", allow_null=True)
    currency = serializers.CharField(source="course.currency")
    lesson_count = serializers.IntegerField()
    is_enrolled = serializers.SerializerMethodField()
    percent_complete = serializers.IntegerField(allow_null=True)

    def get_url(self, summary) -> str:
        return summary.course.get_url(self.context.get("request"))

    def get_instructor(self, summary) -> dict:
        instructor = summary.course.instructor
        return {"name": instructor.display_name, "slug": instructor.slug}

    def get_is_enrolled(self, summary) -> bool:
        return summary.enrolment is not None


class CoursePagination(StrictLimitOffsetPagination):
    default_limit = 50
    max_limit = 200


class CourseListView(GenericAPIView):
    """Live courses anyone may see, with (for a signed-in caller) whether they are
    enrolled and how far they are."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle, UserRateThrottle]
    pagination_class = CoursePagination
    serializer_class = CourseSerializer

    @extend_schema(responses=CourseSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(courses_live())
        summaries = course_summaries(courses=list(page), user=request.user)
        data = CourseSerializer(summaries, many=True, context={"request": request}).data
        return self.get_paginated_response(data)


class EnrolInputSerializer(serializers.Serializer):
    pay_with = serializers.ChoiceField(choices=["membership", "credits", "card"])


class CourseEnrolView(APIView):
    """POST {pay_with: membership|credits|card}. 201 with the new enrolment; 200 with
    the existing one if already enrolled (idempotent, nothing charged); card: 202 with
    the Checkout `checkout_url` (the enrolment follows the payment). 402
    insufficient_credits, 403 not_included, 404 for a course the caller cannot see."""

    @extend_schema(
        request=EnrolInputSerializer,
        responses={
            200: EnrolmentSerializer,
            201: EnrolmentSerializer,
            202: inline_serializer(
                "CoursePaymentStarted",
                {
                    "status": serializers.ChoiceField(choices=["payment_required"]),
                    "payment": serializers.IntegerField(),
                    "checkout_url": CHECKOUT_URL,
                },
            ),
            **errors(402, 409),
        },
    )
    def post(self, request, pk: int):
        course = courses_live().filter(pk=pk).first() if pk <= MAX_ID else None
        if course is None:
            raise NotFound("No such course.")
        data = EnrolInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        pay_with = data.validated_data["pay_with"]
        existing = Enrolment.objects.filter(
            user=request.user, course=course, ended_at__isnull=True
        ).first()
        if existing is not None:
            return Response(EnrolmentSerializer(existing).data, status=200)
        if pay_with == "card":
            success_url = (
                request.build_absolute_uri(reverse("course-paid", args=[course.pk]))
                + "?session_id={CHECKOUT_SESSION_ID}"
            )
            cancel_url = request.build_absolute_uri(
                reverse("course-checkout-cancelled", args=[course.pk])
            )
            payment = course_start_card_checkout(
                user=request.user, course=course, success_url=success_url, cancel_url=cancel_url
            )
            return Response(
                {
                    "status": "payment_required",
                    "payment": payment.pk,
                    "checkout_url": payment.checkout_url,
                },
                status=202,
            )
        enrolment, created = course_enrol(user=request.user, course=course, pay_with=pay_with)
        return Response(EnrolmentSerializer(enrolment).data, status=201 if created else 200)


class ProgressInputSerializer(serializers.Serializer):
    position_seconds = serializers.IntegerField(
        min_value=0, max_value=7 * 24 * 3600, required=False
    )
    completed = serializers.BooleanField(required=False)
    answers = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=1000), required=False
    )


class LessonProgressView(APIView):
    """POST {position_seconds} for a video, {completed: true} for text, {answers:
    {question id: answer number}} for a quiz (→ score and passed). 404 when not
    enrolled; 409 lesson_not_available (with `available_at`) while the lesson drips."""

    @extend_schema(
        request=ProgressInputSerializer,
        responses={
            200: inline_serializer(
                "LessonProgressResult",
                {
                    "lesson": serializers.IntegerField(),
                    "completed": serializers.BooleanField(),
                    "position_seconds": serializers.IntegerField(),
                    "score": serializers.IntegerField(allow_null=True),
                    "passed": serializers.BooleanField(allow_null=True),
                    "course_percent_complete": serializers.IntegerField(),
                    "course_completed": serializers.BooleanField(),
                    "certificate_code": serializers.CharField(allow_null=True),
                },
            ),
            **errors(409),
        },
    )
    def post(self, request, pk: int):
        lesson = LessonPage.objects.live().filter(pk=pk).first() if pk <= MAX_ID else None
        if lesson is None:
            raise NotFound("There is no such lesson.")
        data = ProgressInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            result = lesson_progress_record(
                user=request.user,
                lesson=lesson,
                position_seconds=values.get("position_seconds"),
                completed=values.get("completed"),
                answers=values.get("answers"),
            )
        except LessonNotAvailable as error:
            return Response(
                {
                    "code": error.api_code,
                    "detail": error.detail,
                    "available_at": error.available_at.isoformat(),
                },
                status=error.api_status,
            )
        enrolment = result.enrolment
        course = enrolment.course
        lessons = list(LessonPage.objects.live().descendant_of(course).only("pk", "is_required"))
        completed_ids = set(
            enrolment.progress.filter(completed_at__isnull=False).values_list(
                "lesson_id", flat=True
            )
        )
        progress = result.progress
        return Response(
            {
                "lesson": lesson.pk,
                "completed": progress.completed_at is not None,
                "position_seconds": progress.position_seconds,
                "score": result.quiz.score_percent if result.quiz else None,
                "passed": result.quiz.is_passed if result.quiz else None,
                "course_percent_complete": percent_complete(
                    lessons=lessons, completed_ids=completed_ids
                ),
                "course_completed": enrolment.completed_at is not None,
                "certificate_code": result.certificate.code if result.certificate else None,
            }
        )


class CertificateView(APIView):
    """Public check of a certificate code: the name, course, date and instructor only.
    Once the learner is erased, `learner_name` is null and `learner_erased` true."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle, UserRateThrottle]

    @extend_schema(
        responses=inline_serializer(
            "CertificateVerification",
            {
                "code": serializers.CharField(),
                "learner_name": serializers.CharField(allow_null=True),
                "learner_erased": serializers.BooleanField(),
                "course_title": serializers.CharField(),
                "issued_on": serializers.DateField(),
                "instructor_name": serializers.CharField(),
            },
        )
    )
    def get(self, request, code: str):
        certificate = certificate_by_code(code)
        if certificate is None:
            raise NotFound("There is no certificate with this code.")
        return Response(
            {
                "code": certificate.code,
                "learner_name": None if certificate.is_holder_erased else certificate.learner_name,
                "learner_erased": certificate.is_holder_erased,
                "course_title": certificate.course_title,
                "issued_on": certificate.issued_at.date().isoformat(),
                "instructor_name": certificate.instructor_name,
            }
        )


urlpatterns = [
    path("courses/", CourseListView.as_view(), name="api-courses"),
    path("courses/<int:pk>/enroll/", CourseEnrolView.as_view(), name="api-course-enroll"),
    path("lessons/<int:pk>/progress/", LessonProgressView.as_view(), name="api-lesson-progress"),
    path("certificates/<str:code>/", CertificateView.as_view(), name="api-certificate"),
]
