"""Demo content for the embedded default: the Wagtail home page and every marketing page
type (landing, standard, blog, modality pages), testimonials and FAQs."""

import datetime as dt
import io
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.images import ImageFile
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from cms.core.models import FaqItem, Testimonial
from marketing_site.pages.models import (
    BlogAuthor,
    BlogIndexPage,
    BlogPostPage,
    HomePage,
    LandingPage,
    ModalityPage,
    PractisePage,
    StandardPage,
)
from marketplace.practitioners.models import Modality

HOME_BODY = [
    {
        "type": "feature_grid",
        "value": {
            "heading": "Care that fits your life",
            "features": [
                {
                    "title": "Verified practitioners",
                    "text": "Therapists, coaches and bodyworkers whose identity and "
                    "credentials we check before they can take a booking.",
                },
                {
                    "title": "Book in your time zone",
                    "text": "See real availability, pay by card, credits or membership, "
                    "and meet over secure video.",
                },
                {
                    "title": "Learn between sessions",
                    "text": "A library of articles, audio and courses, written and "
                    "recorded by the people you book.",
                },
            ],
        },
    },
    {
        "type": "call_to_action",
        "value": {
            "heading": "Start with a free account",
            "text": "Create an account in a minute. No card needed.",
            "link_text": "Create your account",
            "link_url": "/accounts/signup/",
        },
    },
]


def _placeholder_root() -> Page | None:
    """Wagtail's initial data leaves a bare "Welcome" page (slug "home") as the site root."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        return None
    page = site.root_page
    if page.specific_class is Page and not page.get_children().exists():
        return page
    return None


def seed_home_page() -> HomePage:
    """Creates the home page under Wagtail's root and points the default site at it,
    replacing Wagtail's placeholder (idempotent: an existing home page is kept as
    editors left it)."""
    home = HomePage.objects.first()
    if home is None:
        placeholder = _placeholder_root()
        if placeholder is not None:
            placeholder.delete()
        home = Page.get_first_root_node().add_child(
            instance=HomePage(
                title="Aeyia",
                slug="home",
                seo_title="Aeyia: therapy, coaching and bodywork you can trust",
                search_description=(
                    "Find verified therapists, coaches and bodyworkers, book sessions "
                    "online or in person, and learn from a library of courses."
                ),
                hero_heading="Feel better, with people who know how to help",
                hero_text=(
                    "Aeyia connects you with verified therapists, coaches and "
                    "bodyworkers, online or near you."
                ),
                hero_cta_text="Create your free account",
                hero_cta_url="/accounts/signup/",
                body=HOME_BODY,
            )
        )
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost", root_page=home, is_default_site=True, site_name="Aeyia"
        )
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.site_name = "Aeyia"
        site.save()
    return home


TESTIMONIALS = [
    (
        "I had put off finding a therapist for years. Seeing real times and real prices made "
        "it a ten-minute job, and the first session felt like it had been waiting for me.",
        "Hannah R.",
        "Client since 2025",
    ),
    (
        "My shiatsu practitioner remembers what we worked on last time, and I can book her "
        "between meetings. That is the whole difference.",
        "Marcus T.",
        "Member, Leeds",
    ),
    (
        "The courses keep me going between coaching sessions. Short, practical, and written "
        "by the person I actually see.",
        "Ife O.",
        "Premium member",
    ),
]

FAQS = [
    (
        "How do you check practitioners?",
        "<p>Before anyone can take a booking we verify their identity and check their "
        "qualifications and insurance. Profiles show a <b>Verified</b> badge once that is "
        "done.</p>",
    ),
    (
        "Can I meet online?",
        "<p>Yes. Most practitioners offer secure video sessions in the browser; nothing to "
        "install. Filter the directory by <i>online</i> to see them.</p>",
    ),
    (
        "What does a membership include?",
        "<p>Monthly credits for sessions, member prices on every booking and more of the "
        "library. You can cancel at any time and keep access until the end of the period.</p>",
    ),
    (
        "What if I need to cancel a session?",
        "<p>Each practitioner sets a cancellation policy, shown before you pay. Cancelling in "
        "time refunds your card, credits or membership allowance automatically.</p>",
    ),
]

BLOG_POSTS = [
    {
        "slug": "choosing-a-therapist",
        "title": "How to choose a therapist who fits",
        "intro": "Qualifications matter, but so does the feeling after a first session. "
        "Five questions that help you choose.",
        "date": dt.date(2026, 10, 2),
        "tags": ["therapy", "getting started"],
        "paragraphs": [
            "Most people choose a therapist the way they choose a dentist: whoever is near "
            "and free. Therapy works best when the fit is right, so it is worth an hour of "
            "looking.",
            "Start with what you want to change, not with a method. A good practitioner will "
            "tell you plainly whether their way of working suits what you bring.",
            "Ask about experience with people like you, how sessions are structured, how "
            "progress is reviewed, and what happens if it is not working.",
        ],
    },
    {
        "slug": "five-minute-body-scan",
        "title": "A five-minute body scan for busy days",
        "intro": "A short practice our bodyworkers recommend between meetings: no mat, no app, "
        "no special clothes.",
        "date": dt.date(2026, 10, 20),
        "tags": ["bodywork", "practice"],
        "paragraphs": [
            "Sit with both feet on the floor and let your hands rest. Notice the contact "
            "points: feet, seat, back.",
            "Move your attention slowly from the top of your head to your toes, naming what "
            "you find without trying to change it.",
            "Finish with three slow breaths, longer out than in. That is it.",
        ],
    },
    {
        "slug": "coaching-or-therapy",
        "title": "Coaching or therapy? A plain guide",
        "intro": "They overlap, but they are not the same. What each is for, and how to tell "
        "which you need.",
        "date": dt.date(2026, 11, 12),
        "tags": ["coaching", "therapy"],
        "paragraphs": [
            "Coaching looks forward: goals, habits, decisions. Therapy can look back as well, "
            "at patterns and their roots.",
            "If something is getting in the way of daily life, start with a therapist. If you "
            "are well and want to move faster, a coach may suit you.",
            "Either way, a first session is a conversation, not a commitment.",
        ],
    },
]


def _configure_site(home: HomePage) -> None:
    """Canonical links and the sitemap use the Wagtail site's address: make Wagtail's
    untouched default (localhost:80) match SITE_URL."""
    site = Site.objects.filter(is_default_site=True).first()
    address = urlsplit(settings.SITE_URL)
    if site is None or (site.hostname, site.port) != ("localhost", 80) or not address.hostname:
        return
    site.hostname = address.hostname
    site.port = address.port or (443 if address.scheme == "https" else 80)
    site.save()


def _demo_image(title: str, colours: tuple[tuple[int, int, int], ...]):
    """A generated picture (bands of the palette's colours), kept offline."""
    image_model = get_image_model()
    existing = image_model.objects.filter(title=title).first()
    if existing is not None:
        return existing
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (1600, 900), colours[0])
    draw = ImageDraw.Draw(picture)
    for index, colour in enumerate(colours[1:], start=1):
        draw.ellipse(
            (index * 380 - 300, 900 - index * 260, index * 380 + 500, 1500 - index * 200),
            fill=colour,
        )
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=85)
    slug = title.lower().replace(" ", "-").replace(":", "")
    return image_model.objects.create(
        title=title, file=ImageFile(buffer, name=f"{slug}.jpg"), description=title
    )


def _snippets() -> tuple[list[Testimonial], list[FaqItem]]:
    testimonials = [
        Testimonial.objects.get_or_create(
            person_name=name, defaults={"quote": quote, "role": role}
        )[0]
        for quote, name, role in TESTIMONIALS
    ]
    faqs = [
        FaqItem.objects.get_or_create(question=question, defaults={"answer": answer})[0]
        for question, answer in FAQS
    ]
    return testimonials, faqs


PRACTISE_FAQS = [
    (
        "Who can practise on Aeyia?",
        "<p>Therapists, coaches and bodyworkers who hold a current licence or "
        "qualification for what they offer, and professional insurance.</p>",
    ),
    (
        "How long does verification take?",
        "<p>The identity check usually answers within minutes; our team reviews your "
        "qualifications and insurance within two working days.</p>",
    ),
    (
        "Can I keep my client account?",
        "<p>Yes. You use the same login for both: book your own sessions as a client and "
        "run your practice from the dashboard.</p>",
    ),
]

PRACTISE_BODY = [
    {
        "type": "feature_grid",
        "value": {
            "heading": "Why practise on Aeyia",
            "features": [
                {
                    "title": "Clients who are ready to book",
                    "text": "People find you by modality, price and real availability, "
                    "and book a time that suits you both.",
                },
                {
                    "title": "Paid on time",
                    "text": "Card payments, credits and memberships are settled to your "
                    "bank account; no chasing invoices.",
                },
                {
                    "title": "Your diary, your rules",
                    "text": "Set your weekly hours, buffers, notice and cancellation "
                    "policy. Sync your own calendar.",
                },
            ],
        },
    },
    {
        "type": "rich_text",
        "value": "<h2>Fees</h2><p>Listing is free. Aeyia keeps a 15% commission on each "
        "session booked through the platform, taken when you are paid. There is no "
        "monthly fee.</p>"
        "<h2>What verification needs</h2><ul><li>Photo identification (passport or "
        "driving licence) for an identity check</li><li>Your licence, registration or "
        "qualification, with its number and expiry date</li><li>Current professional "
        "insurance, with the certificate</li><li>A profile photo and a short bio</li></ul>",
    },
]


def _marketing_body(*, hero: dict | None, testimonials, faqs, with_lead_form: bool):
    from marketing_site.pages.blocks import BodyBlock

    body = []
    if hero is not None:
        body.append({"type": "hero", "value": hero})
    body += [
        {"type": "feature_grid", "value": HOME_BODY[0]["value"]},
        {
            "type": "practitioner_spotlight",
            "value": {"heading": "Meet some of our practitioners", "modality": "", "count": 3},
        },
        {
            "type": "testimonials",
            "value": {"heading": "What people say", "testimonials": [t.pk for t in testimonials]},
        },
        {"type": "course_spotlight", "value": {"heading": "Learn between sessions", "count": 3}},
        {
            "type": "pricing_table",
            "value": {
                "heading": "Choose how you take part",
                "intro": "Start free. Add a membership when regular sessions help.",
            },
        },
        {
            "type": "faq",
            "value": {"heading": "Questions people ask", "items": [f.pk for f in faqs]},
        },
    ]
    lead_form = BodyBlock().child_blocks.get("lead_form") if with_lead_form else None
    if lead_form is not None:
        body.append(
            {"type": "lead_form", "value": lead_form.get_prep_value(lead_form.get_default())}
        )
    body.append(HOME_BODY[1])
    return body


def _publish(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _child(parent: Page, model, slug: str):
    return model.objects.child_of(parent).filter(slug=slug).first()


def seed_site() -> list[str]:
    """Every marketing page type with demo content: the full home page, a landing page,
    about and therapies pages with one page per modality, and a blog (idempotent: pages
    that exist are left as editors left them)."""
    home = seed_home_page()
    _configure_site(home)
    testimonials, faqs = _snippets()
    calm = _demo_image("Demo: calm room", ((227, 240, 238), (185, 216, 211), (243, 217, 198)))
    sand = _demo_image("Demo: sand and clay", ((243, 235, 221), (234, 223, 202), (164, 80, 45)))

    if home.revisions.count() == 1:
        home.body = _marketing_body(
            hero=None, testimonials=testimonials, faqs=faqs, with_lead_form=False
        )
        home.og_image = calm
        home.save_revision().publish()

    if _child(home, LandingPage, "start") is None:
        body = _marketing_body(
            hero={
                "eyebrow": "New here?",
                "heading": "Find the right practitioner in minutes",
                "text": "Tell us what you need, see real availability and book a first "
                "session online or near you.",
                "link_text": "Browse practitioners",
                "link_url": "/practitioners/",
                "image": calm.pk,
            },
            testimonials=testimonials,
            faqs=faqs,
            with_lead_form=True,
        )
        body[1:1] = [
            {
                "type": "rich_text",
                "value": "<h2>Care that starts with a conversation</h2><p>Every practitioner "
                "on Aeyia offers a first session so you can see whether you work well "
                "together.</p>",
            },
            {
                "type": "image",
                "value": {
                    "image": sand.pk,
                    "alt_text": "",
                    "caption": "Sessions happen online or in practitioners' own rooms.",
                },
            },
            {
                "type": "video",
                "value": {
                    "url": "https://www.youtube.com/watch?v=inpok4MKVLM",
                    "title": "Five-minute guided breathing",
                    "poster": calm.pk,
                    "caption": "A short practice to try before your first session.",
                },
            },
        ]
        _publish(
            home,
            LandingPage(
                title="Find your practitioner",
                slug="start",
                search_description="See verified therapists, coaches and bodyworkers with "
                "real availability, and book a first session today.",
                og_image=calm,
                body=body,
            ),
        )

    if _child(home, StandardPage, "about") is None:
        _publish(
            home,
            StandardPage(
                title="About Aeyia",
                slug="about",
                show_in_menus=True,
                intro="We started Aeyia so that finding care feels as ordinary as booking a "
                "table, without losing what makes care work: trust.",
                search_description="Why Aeyia exists and how we check every practitioner.",
                body=[
                    {
                        "type": "rich_text",
                        "value": "<h2>What we believe</h2><p>Good care comes from good fit. "
                        "We show you who practitioners are, how they work and what they "
                        "charge before you book.</p><h2>How we check</h2><p>Identity, "
                        "qualifications and insurance, before the first booking.</p>",
                    },
                    {
                        "type": "testimonials",
                        "value": {
                            "heading": "In their words",
                            "testimonials": [t.pk for t in testimonials[:2]],
                        },
                    },
                ],
            ),
        )

    therapies = _child(home, StandardPage, "therapies")
    if therapies is None:
        therapies = _publish(
            home,
            StandardPage(
                title="Therapies and practices",
                slug="therapies",
                show_in_menus=True,
                intro="The kinds of help you can book on Aeyia, and who offers each.",
                search_description="Therapy, coaching and bodywork modalities on Aeyia.",
                body=[],
            ),
        )
    taken = set(ModalityPage.objects.values_list("modality_id", flat=True))
    for modality in Modality.objects.exclude(pk__in=taken).order_by("name"):
        _publish(
            therapies,
            ModalityPage(
                title=modality.name,
                slug=modality.slug,
                show_in_menus=True,
                modality=modality,
                intro=modality.description,
                search_description=modality.description[:160]
                or f"{modality.name} practitioners you can book on Aeyia.",
                body=[{"type": "faq", "value": {"heading": "Questions", "items": [faqs[3].pk]}}],
            ),
        )

    blog = _child(home, BlogIndexPage, "blog")
    if blog is None:
        blog = _publish(
            home,
            BlogIndexPage(
                title="Blog",
                slug="blog",
                show_in_menus=True,
                intro="Practical notes on therapy, coaching and bodywork from our practitioners "
                "and team.",
                search_description="Articles on therapy, coaching and bodywork.",
            ),
        )
    authors = [
        BlogAuthor.objects.get_or_create(
            name=name, defaults={"role": role, "bio": bio, "image": sand}
        )[0]
        for name, role, bio in (
            (
                "Maya Chen",
                "Counsellor",
                "Maya has practised person-centred counselling since 2012.",
            ),
            ("Tom Okafor", "Editor, Aeyia", "Tom edits the Aeyia blog."),
        )
    ]
    for index, post in enumerate(BLOG_POSTS):
        if _child(blog, BlogPostPage, post["slug"]) is not None:
            continue
        page = BlogPostPage(
            title=post["title"],
            slug=post["slug"],
            date=post["date"],
            intro=post["intro"],
            search_description=post["intro"],
            hero_image=calm if index % 2 == 0 else sand,
            hero_image_alt="",
            body=[
                {"type": "rich_text", "value": "".join(f"<p>{p}</p>" for p in post["paragraphs"])}
            ],
        )
        blog.add_child(instance=page)
        page.authors = [authors[index % 2]]
        page.tags.add(*post["tags"])
        page.save_revision().publish()

    if not PractisePage.objects.exists():
        practise_faqs = [
            FaqItem.objects.get_or_create(question=question, defaults={"answer": answer})[0]
            for question, answer in PRACTISE_FAQS
        ]
        _publish(
            home,
            PractisePage(
                title="Practise on Aeyia",
                slug="practise",
                show_in_menus=True,
                hero_heading="Grow your practice with clients who are ready to book",
                hero_text="Apply in a few minutes. We check your identity, "
                "qualifications and insurance, then clients can find and book you.",
                hero_cta_text="Apply to practise",
                search_description="Offer therapy, coaching or bodywork on Aeyia: "
                "benefits, fees, what verification needs and how to apply.",
                body=[
                    *PRACTISE_BODY,
                    {
                        "type": "faq",
                        "value": {
                            "heading": "Questions practitioners ask",
                            "items": [faq.pk for faq in practise_faqs],
                        },
                    },
                    {
                        "type": "call_to_action",
                        "value": {
                            "heading": "Ready to apply?",
                            "text": "It takes a few minutes; you can finish your profile later.",
                            "link_text": "Apply to practise",
                            "link_url": "/practise/apply/",
                        },
                    },
                ],
            ),
        )

    url = settings.SITE_URL.rstrip("/")
    return [
        f"Marketing site: {url}/start/ (landing), {url}/about/, {url}/therapies/, {url}/blog/, "
        f"{url}/practise/ (Practise on Aeyia); "
        f"editors (editor@aeyia.local) build it at {url}/cms/",
    ]
