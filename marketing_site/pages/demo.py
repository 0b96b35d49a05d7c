"""Demo content for the embedded default: the Wagtail home page."""

from wagtail.models import Page, Site

from marketing_site.pages.models import HomePage

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
