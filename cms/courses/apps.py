from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "cms.courses"
    label = "courses"
    verbose_name = "Courses"

    def ready(self) -> None:
        # Registers the course purchase handler with the Stripe webhook registry.
        from cms.courses import course_handlers  # noqa: F401
