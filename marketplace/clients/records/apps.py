from django.apps import AppConfig


class CareRecordsConfig(AppConfig):
    name = "marketplace.clients.records"
    label = "care_records"
    verbose_name = "Care records"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Its emails go through the notification service (decision 0038).
        from marketplace.clients.records.notifications import register_types

        register_types()
        from marketplace.clients.records.export import care_records_export
        from privacy import export
        from privacy.registry import holds_nothing_personal

        export.register(
            "care_records",
            care_records_export,
            models=("care_records.CareRecord", "care_records.BreakGlassGrant"),
        )

        holds_nothing_personal(
            models=("care_records.CareRecord",),
            reason=(
                "the pair a care relationship joins and when it opened; kept for the "
                "clinical retention period, its content lives in the section apps"
            ),
        )
        holds_nothing_personal(
            models=("care_records.BreakGlassGrant",),
            reason=(
                "points at the member of staff who acted (an audit reference); the record "
                "it opened is the client's and is kept and purged with the record"
            ),
        )
