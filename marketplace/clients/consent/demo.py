"""Demo consent for the embedded default (idempotent): the platform's consent documents,
published through Wagtail's revision path like staff publish them (which freezes their
versions), and the demo client's signatures of the current versions."""

from accounts.models import User
from marketplace.clients.consent.models import ConsentDocument, ConsentKind
from marketplace.clients.consent.selectors import consent_statuses
from marketplace.clients.consent.services import consent_sign

DEMO_DOCUMENTS = {
    ConsentKind.TREATMENT: (
        "Treatment agreement",
        "Your practitioner works with you in sessions you book on Aeyia. You can stop at "
        "any time.\n\nWhat you share stays confidential between you and your practitioner, "
        "except where the law or a serious risk to you or others requires otherwise.",
    ),
    ConsentKind.TELEHEALTH: (
        "Telehealth consent",
        "Online sessions take place over secure video. Join from a private place where you "
        "cannot be overheard.\n\nIf the connection fails, your practitioner will call or "
        "message you to continue or rearrange.",
    ),
    ConsentKind.SHARING: (
        "Sharing consent",
        "You choose what another practitioner may see of your record, and for how long. "
        "You can end a share at any time.",
    ),
}


def seed_consent_documents() -> None:
    """Publishes a demo document for each kind nobody has written yet; documents staff
    already keep are left as they are."""
    for kind, (title, body) in DEMO_DOCUMENTS.items():
        if ConsentDocument.objects.filter(kind=kind).exists():
            continue
        document = ConsentDocument(kind=kind, title=title, body=body)
        document.save()
        # The published signal freezes the version (registrations._freeze_published_version).
        document.save_revision().publish()


def seed_client_consents(*, client: User) -> None:
    """Signs, as the client, every current document they do not already hold signed."""
    for status in consent_statuses(client=client):
        if status.is_valid:
            continue
        consent_sign(
            client=client,
            version=status.version,
            typed_name=client.get_full_name(),
            ip_address=None,
            user_agent="seed_demo",
        )
