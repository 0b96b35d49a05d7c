"""Every write about courses: enrolments (enrolments.py) and progress, completion and
certificates (progress.py)."""

from cms.courses.services.enrolments import (
    course_card_payment_reconcile,
    course_enrol,
    course_start_card_checkout,
    enrolment_is_active,
)
from cms.courses.services.progress import lesson_progress_record

__all__ = [
    "course_card_payment_reconcile",
    "course_enrol",
    "course_start_card_checkout",
    "enrolment_is_active",
    "lesson_progress_record",
]
