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
