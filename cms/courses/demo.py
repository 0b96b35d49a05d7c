"""Demo courses for the embedded default."""

import uuid

from django.db import transaction
from wagtail.models import Page, Site

from cms.courses.models import CourseIndexPage, CoursePage, LessonPage, ModulePage
from cms.courses.services.authors import course_author_grant
from marketplace.practitioners.models import PractitionerProfile

DEMO_PRACTITIONER_EMAIL = "practitioner@aeyia.local"


def _text(*paragraphs: str) -> list[dict]:
    return [
        {
            "type": "rich_text",
            "value": "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs),
            "id": str(uuid.uuid4()),
        }
    ]


def _question(prompt: str, choices: list[str], correct: int) -> dict:
    return {
        "type": "question",
        "value": {"prompt": prompt, "choices": choices, "correct_choice": correct},
        "id": str(uuid.uuid4()),
    }


COURSES = [
    {
        "slug": "foundations-of-mindful-breathing",
        "title": "Foundations of mindful breathing",
        "summary": "Five short lessons that turn your breath into a tool for calm, focus "
        "and better sleep.",
        "description": "<p>Learn three breathing practices you can use anywhere, why they "
        "work, and how to build them into your day.</p>",
        "access_level": "member",
        "credit_price": 3,
        "price": 2900,
        "estimated_minutes": 45,
        "modules": [
            (
                "Getting started",
                [
                    {
                        "slug": "why-breathing-matters",
                        "title": "Why breathing matters",
                        "body": _text(
                            "Your breath is the one part of your nervous system you can "
                            "steer on purpose.",
                            "Slow, even breathing tells your body it is safe to rest.",
                        ),
                    },
                    {
                        "slug": "finding-your-natural-breath",
                        "title": "Finding your natural breath",
                        "body": _text(
                            "Sit comfortably, rest one hand on your belly and simply notice "
                            "the breath for two minutes without changing it."
                        ),
                    },
                ],
            ),
            (
                "Practices",
                [
                    {
                        "slug": "box-breathing",
                        "title": "Box breathing",
                        "body": _text(
                            "Breathe in for four, hold for four, out for four, hold for "
                            "four. Repeat for four rounds."
                        ),
                    },
                    {
                        "slug": "the-4-7-8-breath",
                        "title": "The 4-7-8 breath",
                        "drip_days": 2,
                        "body": _text(
                            "In through the nose for four, hold for seven, out through the "
                            "mouth for eight. Best before sleep."
                        ),
                    },
                ],
            ),
            (
                "Check your understanding",
                [
                    {
                        "slug": "breathing-quiz",
                        "title": "Breathing quiz",
                        "kind": "quiz",
                        "pass_mark_percent": 70,
                        "questions": [
                            _question(
                                "How long is each side of the box in box breathing?",
                                ["Two counts", "Four counts", "Eight counts"],
                                2,
                            ),
                            _question(
                                "When is the 4-7-8 breath most useful?",
                                ["Before sleep", "During a sprint", "While eating"],
                                1,
                            ),
                            _question(
                                "What does slow, even breathing signal to the body?",
                                ["Danger", "That it is safe to rest", "Hunger"],
                                2,
                            ),
                        ],
                    },
                ],
            ),
        ],
    },
    {
        "slug": "sleep-better-in-two-weeks",
        "title": "Sleep better in two weeks",
        "summary": "A gentle, practical plan for steadier sleep, free with any account.",
        "description": "<p>Small changes to your evenings and mornings, one at a time.</p>",
        "access_level": "account",
        "credit_price": None,
        "price": None,
        "estimated_minutes": 30,
        "modules": [
            (
                "Your sleep window",
                [
                    {
                        "slug": "a-steady-wake-time",
                        "title": "A steady wake time",
                        "body": _text(
                            "Choose one wake time and keep it every day, weekends included."
                        ),
                    },
                    {
                        "slug": "winding-down",
                        "title": "Winding down",
                        "body": _text(
                            "Give yourself thirty screen-free minutes before bed: dim lights, "
                            "a warm drink, a book."
                        ),
                    },
                ],
            ),
            (
                "Check-in",
                [
                    {
                        "slug": "sleep-quiz",
                        "title": "Sleep quiz",
                        "kind": "quiz",
                        "pass_mark_percent": 50,
                        "questions": [
                            _question(
                                "What matters most for a steady rhythm?",
                                ["A steady wake time", "A late coffee", "Long naps"],
                                1,
                            ),
                            _question(
                                "How long should you wind down before bed?",
                                ["Five minutes", "About thirty minutes", "Three hours"],
                                2,
                            ),
                        ],
                    },
                ],
            ),
        ],
    },
]


def _publish(page: Page) -> None:
    page.save_revision().publish()


def _course_index(home: Page) -> CourseIndexPage:
    index = CourseIndexPage.objects.filter(slug="courses").first()
    if index is None:
        index = CourseIndexPage(
            title="Courses",
            slug="courses",
            intro="Short courses by our practitioners, to learn between sessions.",
        )
        home.add_child(instance=index)
        _publish(index)
    return index


def _course(index: CourseIndexPage, spec: dict, instructor: PractitionerProfile) -> bool:
    if CoursePage.objects.filter(slug=spec["slug"]).exists():
        return False
    course = CoursePage(
        title=spec["title"],
        slug=spec["slug"],
        summary=spec["summary"],
        description=spec["description"],
        instructor=instructor,
        access_level=spec["access_level"],
        credit_price=spec["credit_price"],
        price=spec["price"],
        currency="GBP",
        estimated_minutes=spec["estimated_minutes"],
        owner=instructor.user,
    )
    index.add_child(instance=course)
    _publish(course)
    for module_title, lessons in spec["modules"]:
        module = ModulePage(title=module_title, owner=instructor.user)
        course.add_child(instance=module)
        _publish(module)
        for lesson_spec in lessons:
            lesson = LessonPage(
                title=lesson_spec["title"],
                slug=lesson_spec["slug"],
                kind=lesson_spec.get("kind", "text"),
                body=lesson_spec.get("body", []),
                questions=lesson_spec.get("questions", []),
                pass_mark_percent=lesson_spec.get("pass_mark_percent", 70),
                drip_days=lesson_spec.get("drip_days", 0),
                owner=instructor.user,
            )
            module.add_child(instance=lesson)
            _publish(lesson)
    return True


@transaction.atomic
def seed_courses() -> list[str]:
    """The course catalogue at /courses/ under the home page, with two courses by the demo
    practitioner (modules, text lessons, a dripped lesson and a quiz each). Idempotent:
    existing pages are kept as editors left them."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    instructor = PractitionerProfile.objects.filter(user__email=DEMO_PRACTITIONER_EMAIL).first()
    if site is None or instructor is None:
        return ["Courses: skipped (no site or no demo practitioner)."]
    index = _course_index(site.root_page)
    created = [spec["title"] for spec in COURSES if _course(index, spec, instructor)]
    course_author_grant(user=instructor.user)
    lines = [f"Courses: {index.url or '/courses/'} ({CoursePage.objects.count()} courses)."]
    if created:
        lines.append("  Added: " + "; ".join(created) + ".")
    lines.append(
        f"  {DEMO_PRACTITIONER_EMAIL} authors their own courses in /cms/ and uploads their"
        " lesson videos to the Course videos collection (editors publish)."
    )
    return lines
