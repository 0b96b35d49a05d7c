"""What the consent app registers at start-up: the Wagtail publish hook that freezes a
version, the record section, and its part in export and erasure."""

from django.dispatch import receiver
from wagtail.signals import published

from privacy.export import exclude as export_exclude
from privacy.export import json_file
from privacy.export import register as export_register
from privacy.registry import holds_nothing_personal
from privacy.retention import register as retention_register


def export_consents(user):
    from marketplace.clients.consent.models import ConsentSignature

    events = ConsentSignature.objects.filter(client=user).select_related("version")
    yield json_file(
        "consent/signatures.json",
        [
            {
                "document": event.version.title,
                "kind": event.kind,
                "version": event.version.number,
                "action": event.action,
                "text_sha256": event.text_sha256,
                "typed_name": event.typed_name,
                "ip_address": event.ip_address,
                "user_agent": event.user_agent,
                "at": event.created_at,
            }
            for event in events.order_by("created_at", "pk")
        ],
    )


@receiver(published, dispatch_uid="consent_version_on_publish")
def _freeze_published_version(sender, instance, revision=None, **kwargs):
    from marketplace.clients.consent.models import ConsentDocument
    from marketplace.clients.consent.services import consent_version_publish

    if not isinstance(instance, ConsentDocument) or not instance.live:
        return
    consent_version_publish(
        document=instance, published_by=getattr(revision, "user", None) if revision else None
    )


def register() -> None:
    from marketplace.clients.records import sections

    sections.register(
        "consent", "Consent", "care-consent-practitioner", "care-consent-client", order=20
    )
    export_register("consent", export_consents, models=("consent.ConsentSignature",))
    from marketplace.clients.retention import consent_purge

    retention_register(
        "clinical_adult", consent_purge, name="consent", models=("consent.ConsentSignature",)
    )
    staff_reference = (
        "a published consent text; its only user key names the staff member who "
        "published it, kept as the document's history"
    )
    holds_nothing_personal(models=("consent.ConsentVersion",), reason=staff_reference)
    export_exclude(models=("consent.ConsentVersion",), reason=staff_reference)
    holds_nothing_personal(
        models=("consent.ConsentSignature",),
        reason="consent evidence is part of the clinical record: kept, its typed name "
        "encrypted, for the clinical retention period after an erasure (RETENTION_POLICY), "
        "then removed by the retention purge",
    )
