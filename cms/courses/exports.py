"""The person's courses, progress and certificates in their data export."""

from collections.abc import Iterator

from privacy.export import ExportItem, exclude, json_file, register


def courses_export(user) -> Iterator[ExportItem]:
    from cms.courses.models import Certificate, Enrolment, LessonProgress

    yield json_file(
        "courses.json",
        {
            "enrolments": list(
                Enrolment.objects.filter(user=user).values(
                    "id",
                    "course__title",
                    "source",
                    "enrolled_at",
                    "completed_at",
                    "last_activity_at",
                    "ended_at",
                    "end_reason",
                )
            ),
            "progress": list(
                LessonProgress.objects.filter(enrolment__user=user).values(
                    "enrolment_id",
                    "lesson__title",
                    "position_seconds",
                    "completed_at",
                    "quiz_attempts",
                    "best_score_percent",
                )
            ),
            "certificates": list(
                Certificate.objects.filter(enrolment__user=user).values(
                    "code", "learner_name", "course_title", "instructor_name", "issued_at"
                )
            ),
        },
    )


def register_exports() -> None:
    register(
        "courses",
        courses_export,
        models=("courses.Enrolment", "courses.LessonProgress", "courses.Certificate"),
    )
    exclude(
        models=("courses.CoursePage",),
        reason="a published course a practitioner teaches (public content)",
    )
