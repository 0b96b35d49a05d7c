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
