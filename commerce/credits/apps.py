from django.apps import AppConfig


class CreditsConfig(AppConfig):
    name = "commerce.credits"
    label = "credits"
    verbose_name = "Credits"

    def ready(self) -> None:
        from commerce.credits.exports import register_exports

        register_exports()
        from privacy.registry import holds_nothing_personal

        holds_nothing_personal(
            models=("credits.CreditAccount", "credits.CreditTransaction"),
            reason="the append-only ledger (amounts, system memos); kept for the books",
        )
