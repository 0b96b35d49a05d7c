"""The client role's row in the person's data export (privacy.export)."""

from collections.abc import Iterator

from privacy.export import ExportItem, json_file, register


def client_export(user) -> Iterator[ExportItem]:
    from marketplace.clients.models import ClientProfile

    profile = ClientProfile.objects.filter(user=user).values("created_at").first()
    if profile is not None:
        yield json_file("client_profile.json", profile)


def register_exports() -> None:
    register("client", client_export, models=("clients.ClientProfile",))
