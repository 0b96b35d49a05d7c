from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "commerce.partners"
    label = "partners"
    verbose_name = "Society partners"

    def ready(self) -> None:
        from commerce.partners.exports import register_exports

        register_exports()
        from commerce.partners.services import pool_invites_erase
        from privacy.registry import eraser_register, holds_nothing_personal

        eraser_register(
            name="partner_invites", eraser=pool_invites_erase, models=("partners.PoolInvite",)
        )
        holds_nothing_personal(
            models=("partners.PartnerAdmin", "partners.PoolEnrollment", "partners.PoolDraw"),
            reason="membership of a partner pool and the credits drawn; kept for the books",
        )
        self._register_announcement_audience()

    def _register_announcement_audience(self) -> None:
        """Staff announcements can go to the clients enrolled in any pool of a partner."""
        from django import forms
        from django.contrib.auth import get_user_model

        from commerce.partners.models import Partner
        from notifications.segments import segment_register

        class PartnerChoice(forms.Form):
            partner = forms.ModelChoiceField(queryset=Partner.objects.order_by("name"))

        def clients(params):
            return get_user_model().objects.filter(
                pool_enrollments__pool__partner_id=params["partner"]
            )

        segment_register("partner_clients", "Clients of a partner", clients, PartnerChoice)
