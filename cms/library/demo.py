"""Demo library content for the embedded default: the index at /library/ and items of
every format and access level, with small private files from demo_files/."""

from pathlib import Path

from django.core.files import File
from django.db import transaction
from wagtail.models import Page, Site

from cms.library.entitlements import AccessLevel
from cms.library.models import LibraryIndexPage, LibraryItemPage, Topic
from marketplace.practitioners.models import Modality, PractitionerProfile

DEMO_FILES = Path(__file__).resolve().parent / "demo_files"

TOPICS = [
    ("sleep", "Sleep"),
    ("stress-anxiety", "Stress & anxiety"),
    ("movement", "Movement"),
    ("growth", "Growth"),
]


def _rich(*paragraphs: str) -> list[dict]:
    return [{"type": "rich_text", "value": "".join(f"<p>{text}</p>" for text in paragraphs)}]


ITEMS = [
    {
        "slug": "why-sleep-slips-away",
        "title": "Why sleep slips away",
        "format": "article",
        "level": "beginner",
        "access_level": AccessLevel.PUBLIC,
        "topics": ["sleep"],
        "modality": "psychotherapy",
        "duration_minutes": 6,
        "teaser": "Racing thoughts, late screens and busy days: the usual reasons sleep "
        "gets harder, and what helps first.",
        "body": _rich(
            "Sleep is not something we can force. It arrives when the body feels safe and "
            "the mind has room to slow down.",
            "Start with a steady wake-up time, daylight in the morning, and a wind-down "
            "hour without work or news.",
        ),
    },
    {
        "slug": "setting-goals-that-stick",
        "title": "Setting goals that stick",
        "format": "article",
        "level": "beginner",
        "access_level": AccessLevel.PUBLIC,
        "topics": ["growth"],
        "modality": "life-coaching",
        "duration_minutes": 5,
        "teaser": "Small, specific and kind to yourself: a coach's way to pick goals you "
        "will still care about next month.",
        "body": _rich(
            "Pick one goal, make it small enough to start today, and decide when you "
            "will look back at it.",
        ),
    },
    {
        "slug": "ten-minute-body-scan",
        "title": "A ten-minute body scan",
        "format": "audio",
        "level": "beginner",
        "access_level": AccessLevel.ACCOUNT,
        "topics": ["stress-anxiety", "sleep"],
        "modality": "yoga-therapy",
        "duration_minutes": 10,
        "teaser": "A guided listen that moves your attention slowly from your feet to "
        "your head. Free with an account.",
        "body": _rich("Find a comfortable position, press play, and follow the bell."),
        "audio": "breathing-bell.wav",
    },
    {
        "slug": "sleep-diary",
        "title": "Sleep diary worksheet",
        "format": "worksheet",
        "level": "beginner",
        "access_level": AccessLevel.ACCOUNT,
        "topics": ["sleep"],
        "modality": None,
        "duration_minutes": 5,
        "teaser": "A printable week-long diary to spot patterns in your nights before "
        "you talk to a practitioner.",
        "body": _rich("Fill in one line each morning for a week, then bring it along."),
        "worksheet": "sleep-diary.pdf",
    },
    {
        "slug": "gentle-evening-yoga",
        "title": "Gentle evening yoga",
        "format": "video",
        "level": "intermediate",
        "access_level": AccessLevel.MEMBER,
        "topics": ["movement", "sleep"],
        "modality": "yoga-therapy",
        "duration_minutes": 20,
        "teaser": "Twenty minutes of slow stretches and breathing to close the day. For members.",
        "body": _rich("Have a mat or a folded blanket nearby. Move only as far as is easy."),
        "video_url": "https://www.youtube.com/watch?v=v7AYKMP6rOE",
    },
    {
        "slug": "thought-record",
        "title": "Thought record worksheet",
        "format": "worksheet",
        "level": "intermediate",
        "access_level": AccessLevel.MEMBER,
        "topics": ["stress-anxiety"],
        "modality": "psychotherapy",
        "duration_minutes": 15,
        "teaser": "The classic CBT tool: catch a hard thought, weigh it, and find a "
        "kinder one. For members.",
        "body": _rich("Use it when a feeling is strong. It gets easier with practice."),
        "worksheet": "thought-record.pdf",
    },
    {
        "slug": "understanding-anxiety-loops",
        "title": "Understanding anxiety loops",
        "format": "article",
        "level": "advanced",
        "access_level": AccessLevel.PREMIUM,
        "topics": ["stress-anxiety"],
        "modality": "psychotherapy",
        "duration_minutes": 12,
        "teaser": "How avoidance keeps worry going, and the small experiments that "
        "break the loop. For Premium members.",
        "body": _rich(
            "Anxiety loops run on avoidance: each time we step away from what we fear, "
            "relief teaches us to step away again.",
            "Break the loop with small, planned experiments, and notice what actually happens.",
        ),
    },
    {
        "slug": "deep-rest-guided-audio",
        "title": "Deep rest: a guided audio",
        "format": "audio",
        "level": "intermediate",
        "access_level": AccessLevel.CREDITS,
        "credit_price": 3,
        "topics": ["sleep"],
        "modality": None,
        "duration_minutes": 25,
        "teaser": "A longer guided rest for evenings when your mind will not switch off. "
        "Yours to keep for 3 credits.",
        "body": _rich("Listen lying down, with the lights low."),
        "audio": "breathing-bell.wav",
    },
    {
        "slug": "desk-break-mobility",
        "title": "Desk-break mobility routine",
        "format": "video",
        "level": "beginner",
        "access_level": AccessLevel.CREDITS,
        "credit_price": 2,
        "topics": ["movement"],
        "modality": "massage-therapy",
        "duration_minutes": 8,
        "teaser": "Eight minutes for neck, shoulders and back between meetings. Yours "
        "to keep for 2 credits.",
        "body": _rich("Stand up, roll your shoulders, and follow along."),
        "video_url": "https://www.youtube.com/watch?v=tAUf7aajBWE",
    },
]


def _home_page() -> Page:
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is not None:
        return site.root_page
    return Page.get_first_root_node()


def _index() -> tuple[LibraryIndexPage, bool]:
    existing = LibraryIndexPage.objects.first()
    if existing is not None:
        return existing, False
    index = LibraryIndexPage(
        title="Library",
        slug="library",
        intro="Articles, videos, audio and worksheets from Aeyia's practitioners. Some are "
        "free for everyone, some for members, and some you can keep for a few credits.",
        seo_title="The Aeyia library: articles, videos, audio and worksheets",
        search_description="Browse wellbeing articles, videos, guided audio and printable "
        "worksheets by topic, format, modality and level.",
    )
    _home_page().add_child(instance=index)
    return index, True


def _attach(field, filename: str) -> None:
    with (DEMO_FILES / filename).open("rb") as handle:
        field.save(filename, File(handle), save=False)


@transaction.atomic
def seed_library() -> list[str]:
    """Creates the library index under the site's home page (slug "library") and the demo
    items that are missing; existing pages are left as editors left them. Returns lines to
    print."""
    index, _ = _index()
    topics = {
        slug: Topic.objects.get_or_create(slug=slug, defaults={"name": name})[0]
        for slug, name in TOPICS
    }
    modalities = {modality.slug: modality for modality in Modality.objects.all()}
    author = PractitionerProfile.objects.filter(display_name="Priya Patel").first()
    existing = set(LibraryItemPage.objects.child_of(index).values_list("slug", flat=True))
    created = 0
    for spec in ITEMS:
        if spec["slug"] in existing:
            continue
        item = LibraryItemPage(
            title=spec["title"],
            slug=spec["slug"],
            format=spec["format"],
            level=spec["level"],
            access_level=spec["access_level"],
            credit_price=spec.get("credit_price"),
            teaser=spec["teaser"],
            body=spec["body"],
            video_url=spec.get("video_url", ""),
            modality=modalities.get(spec["modality"]) if spec["modality"] else None,
            author=author if spec["modality"] == "psychotherapy" else None,
            duration_minutes=spec["duration_minutes"],
        )
        if spec.get("audio"):
            _attach(item.audio_file, spec["audio"])
        if spec.get("worksheet"):
            _attach(item.worksheet_file, spec["worksheet"])
        index.add_child(instance=item)
        item.topics.set([topics[slug] for slug in spec["topics"]])
        item.save_revision().publish()
        created += 1
    total = LibraryItemPage.objects.child_of(index).live().count()
    return [
        f"Library: {index.url or '/library/'} ({total} items; {created} new). Locked items "
        "show how to open them; the demo client can buy the credits ones."
    ]
