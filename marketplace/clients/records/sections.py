"""The record page's sections. Each section app registers itself from its
AppConfig.ready():

    sections.register("notes", "Session notes", "care-notes-practitioner",
                      "care-notes-client", order=30)

The record pages render one tab per section the viewer's side has a URL for; each URL
name is reversed with `record_id` only. Use None for a side with no page."""

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    url_name_for_practitioner: str | None
    url_name_for_client: str | None
    order: int

    def url_for(self, *, side: str, record_id: int) -> str | None:
        name = (
            self.url_name_for_practitioner if side == "practitioner" else self.url_name_for_client
        )
        return reverse(name, kwargs={"record_id": record_id}) if name else None


_sections: dict[str, Section] = {}


def register(
    key: str,
    label: str,
    url_name_for_practitioner: str | None,
    url_name_for_client: str | None,
    order: int = 100,
) -> Section:
    """Adds (or, for the same key, replaces) a section of the record page."""
    section = Section(
        key=key,
        label=label,
        url_name_for_practitioner=url_name_for_practitioner,
        url_name_for_client=url_name_for_client,
        order=order,
    )
    _sections[key] = section
    return section


def registered() -> list[Section]:
    return sorted(_sections.values(), key=lambda section: (section.order, section.key))


def tabs(*, side: str, record_id: int) -> list[tuple[Section, str]]:
    """(section, url) for each section the side ("practitioner" or "client") can open."""
    result = []
    for section in registered():
        url = section.url_for(side=side, record_id=record_id)
        if url is not None:
            result.append((section, url))
    return result
