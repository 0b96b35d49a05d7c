"""What the person bought in the library, in their data export (privacy.export)."""

from collections.abc import Iterator

from privacy.export import ExportItem, exclude, json_file, register


def library_export(user) -> Iterator[ExportItem]:
    from cms.library.models import ContentPurchase

    yield json_file(
        "purchases.json",
        list(
            ContentPurchase.objects.filter(user=user).values(
                "page__title", "source", "credits_spent", "created_at"
            )
        ),
    )


def register_exports() -> None:
    register("library", library_export, models=("library.ContentPurchase",))
    exclude(
        models=("library.LibraryItemPage",),
        reason="published content a practitioner authored (public pages, not personal data "
        "about them beyond the public byline)",
    )
