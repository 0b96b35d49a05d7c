from django.apps import AppConfig


class PractitionersConfig(AppConfig):
    name = "marketplace.practitioners"
    label = "practitioners"
    verbose_name = "Practitioners"

    def ready(self) -> None:
        # Every practitioner email goes through the notification service.
        from marketplace.practitioners.notifications import register_types

        register_types()
        from marketplace.practitioners.exports import register_exports

        register_exports()
        from marketplace.practitioners.services.applications import (
            practitioner_applications_erase,
            practitioner_applications_export,
        )
        from marketplace.practitioners.services.erasure import practitioner_erase
        from privacy.export import register as export_register
        from privacy.registry import eraser_register, holds_nothing_personal

        eraser_register(
            name="practitioners",
            eraser=practitioner_erase,
            models=("practitioners.PractitionerProfile",),
        )
        eraser_register(
            name="practitioner_applications",
            eraser=practitioner_applications_erase,
            models=("practitioners.PractitionerInvitation",),
        )
        export_register(
            "practitioner_applications",
            practitioner_applications_export,
            models=(
                "practitioners.PractitionerApplication",
                "practitioners.PractitionerInvitation",
            ),
        )
        holds_nothing_personal(
            models=("practitioners.VerificationCase", "practitioners.PractitionerStatusChange"),
            reason="the user key is the staff member who decided (decided_by, changed_by); "
            "the practitioner's own rows are cleared by the practitioners eraser",
        )
        self._register_announcement_audience()

    def _register_announcement_audience(self) -> None:
        """Staff announcements can go to every practitioner who is live on the platform."""
        from django.contrib.auth import get_user_model

        from marketplace.practitioners.models import PractitionerProfile
        from notifications.segments import segment_register

        def practitioners(params):
            return get_user_model().objects.filter(
                practitioner_profile__status=PractitionerProfile.Status.ACTIVE
            )

        segment_register("practitioners", "All practitioners (active)", practitioners)
