"""Errors course services raise; each carries its HTTP status and stable code (see
commerce.errors and config.api.exception_handler)."""

from datetime import datetime

from commerce.errors import CommerceError, Conflict


class NotIncluded(CommerceError):
    """This course is not included in your membership."""

    api_status = 403
    api_code = "not_included"


class LessonNotAvailable(Conflict):
    """This lesson is not open yet."""

    api_code = "lesson_not_available"

    def __init__(self, detail: str = "", *, available_at: datetime):
        super().__init__(detail)
        self.available_at = available_at
