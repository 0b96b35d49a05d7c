"""The digital library: an index page, items (articles, videos, audio, worksheets),
topics, and purchases of content (shared with courses: a purchase points at any page)."""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.text import slugify
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from cms.core.seo import SeoMixin
from cms.library.blocks import LibraryBodyBlock
from cms.library.entitlements import AccessLevel
from filestore import PrivateFileField, private_storage


class ContentPurchase(models.Model):
    """A person's purchase of one page's content (a library item, a course...)."""

    class Source(models.TextChoices):
        CREDITS = "credits", "Credits"
        CARD = "card", "Card"
        GRANT = "grant", "Granted by staff"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="content_purchases"
    )
    page = models.ForeignKey("wagtailcore.Page", on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=16, choices=Source.choices)
    reference = models.CharField(
        max_length=255, help_text="The credit transaction, payment or grant behind it."
    )
    credits_spent = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "page"], name="content_purchase_once"),
            models.UniqueConstraint(
                fields=["source", "reference"], name="content_purchase_reference_unique"
            ),
        ]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} bought page {self.page_id}"


@register_snippet
class Topic(index.Indexed, models.Model):
    """A subject the library is browsed by (sleep, anxiety, movement...)."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)

    panels = [FieldPanel("name"), FieldPanel("slug")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean_fields(self, exclude=None) -> None:
        # Editors may leave the slug empty: it follows the name.
        if not self.slug and self.name:
            self.slug = slugify(self.name)[:80]
        super().clean_fields(exclude=exclude)


class ItemFormat(models.TextChoices):
    ARTICLE = "article", "Article"
    VIDEO = "video", "Video"
    AUDIO = "audio", "Audio"
    WORKSHEET = "worksheet", "Worksheet"


class ItemLevel(models.TextChoices):
    BEGINNER = "beginner", "Beginner"
    INTERMEDIATE = "intermediate", "Intermediate"
    ADVANCED = "advanced", "Advanced"


def _private_name(folder: str, filename: str) -> str:
    # A random folder per upload: names never collide and are not guessable (the download
    # view still checks access on every request).
    return f"library/{folder}/{uuid.uuid4().hex}/{PurePosixPath(filename).name}"


def upload_video(instance, filename: str) -> str:
    return _private_name("video", filename)


def upload_audio(instance, filename: str) -> str:
    return _private_name("audio", filename)


def upload_worksheet(instance, filename: str) -> str:
    return _private_name("worksheet", filename)


def library_file_url(file) -> str:
    """A locked file's address: the permission-checked view, never the storage's."""
    return reverse("library-file", kwargs={"name": file.name})


class LibraryIndexPage(SeoMixin, Page):
    """/library/: browse by topic, format, modality and level, and search."""

    intro = models.TextField(blank=True)
    items_per_page = models.PositiveSmallIntegerField(default=12)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("items_per_page")]
    parent_page_types = ["pages.HomePage", "wagtailcore.Page"]
    subpage_types = ["library.LibraryItemPage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        from cms.library.selectors import library_browse

        context = super().get_context(request, *args, **kwargs)
        context.update(library_browse(index_page=self, request=request))
        return context

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        # Lock badges depend on who is looking.
        response["Cache-Control"] = "private"
        return response


class LibraryItemPage(RoutablePageMixin, SeoMixin, Page):
    """One item. Its teaser is public; its body and files open by access level."""

    format = models.CharField(max_length=16, choices=ItemFormat.choices)
    teaser = models.TextField(
        max_length=600, help_text="Shown to everyone, also when the item is locked."
    )
    body = StreamField(LibraryBodyBlock(), blank=True)
    video_url = models.URLField(
        blank=True, help_text="A link to the video, for example on YouTube or Vimeo."
    )
    video_file = PrivateFileField(
        storage=private_storage,
        checked_url=library_file_url,
        upload_to=upload_video,
        blank=True,
        validators=[FileExtensionValidator(["mp4", "webm"])],
        help_text="Private: only people with access can play it.",
    )
    audio_file = PrivateFileField(
        storage=private_storage,
        checked_url=library_file_url,
        upload_to=upload_audio,
        blank=True,
        validators=[FileExtensionValidator(["mp3", "m4a", "ogg", "wav"])],
        help_text="Private: only people with access can play it.",
    )
    worksheet_file = PrivateFileField(
        storage=private_storage,
        checked_url=library_file_url,
        upload_to=upload_worksheet,
        blank=True,
        validators=[FileExtensionValidator(["pdf"])],
        help_text="Private PDF: only people with access can download it.",
    )
    access_level = models.CharField(
        max_length=16, choices=AccessLevel.choices, default=AccessLevel.PUBLIC
    )
    credit_price = models.PositiveIntegerField(
        null=True, blank=True, help_text="Credits to buy it; required when sold for credits."
    )
    topics = ParentalManyToManyField(Topic, blank=True, related_name="items")
    modality = models.ForeignKey(
        "practitioners.Modality",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    level = models.CharField(max_length=16, choices=ItemLevel.choices, default=ItemLevel.BEGINNER)
    author = models.ForeignKey(
        "practitioners.PractitionerProfile",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    duration_minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Reading, watching or listening time."
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("teaser"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("format"), FieldPanel("level")]),
                FieldPanel("topics"),
                FieldPanel("modality"),
                FieldPanel("author"),
                FieldPanel("duration_minutes"),
            ],
            heading="About",
        ),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("video_url"),
                FieldPanel("video_file"),
                FieldPanel("audio_file"),
                FieldPanel("worksheet_file"),
            ],
            heading="Media and downloads",
        ),
        MultiFieldPanel([FieldPanel("access_level"), FieldPanel("credit_price")], heading="Access"),
    ]

    # Only what a locked viewer may see is indexed, so search can never match (or leak)
    # body text or file names of locked items.
    search_fields = [
        *Page.search_fields,
        index.SearchField("teaser"),
        index.RelatedFields("topics", [index.SearchField("name")]),
        index.FilterField("format"),
        index.FilterField("level"),
        index.FilterField("access_level"),
        index.FilterField("modality"),
    ]

    parent_page_types = ["library.LibraryIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(access_level="credits")
                | Q(credit_price__isnull=False, credit_price__gt=0),
                name="library_item_credits_priced",
            ),
        ]

    def clean(self) -> None:
        super().clean()
        if self.access_level == AccessLevel.CREDITS and not self.credit_price:
            raise ValidationError({"credit_price": "Set a price in credits to sell it."})

    @property
    def private_files(self) -> dict[str, models.fields.files.FieldFile]:
        """The item's uploaded private files by kind."""
        files = {
            "video": self.video_file,
            "audio": self.audio_file,
            "worksheet": self.worksheet_file,
        }
        return {kind: file for kind, file in files.items() if file}

    @path("")
    def item(self, request):
        from cms.library import views

        return views.item_page(request, page=self)

    @path("buy/", name="buy")
    def buy(self, request):
        from cms.library import views

        return views.item_buy(request, page=self)

    def serve_preview(self, request, mode_name):
        from cms.library import views

        # Editors preview the whole item, whatever its access level.
        return views.item_page(request, page=self, preview=True)
