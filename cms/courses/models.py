"""Courses: a CourseIndexPage holds CoursePages; each course holds ModulePages, and each
module holds LessonPages (video, text or quiz). Lessons are pages so editors get previews,
revisions and moderation for free, and each lesson has its own address where access is
enforced on serve. Learners' state (enrolments, progress, certificates) is plain rows."""

import secrets
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from wagtail import blocks
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from cms.core.seo import SeoMixin
from cms.library.entitlements import AccessLevel
from money.forms import MoneyField, MoneyModelFormMixin

RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "link", "ol", "ul"]


class QuizQuestionBlock(blocks.StructBlock):
    prompt = blocks.CharBlock(max_length=300)
    choices = blocks.ListBlock(blocks.CharBlock(max_length=200), min_num=2, max_num=8)
    correct_choice = blocks.IntegerBlock(
        min_value=1, help_text="The number of the right answer in the list above (1 = first)."
    )

    class Meta:
        icon = "help"

    def clean(self, value):
        cleaned = super().clean(value)
        if cleaned["correct_choice"] > len(cleaned["choices"]):
            raise blocks.StructBlockValidationError(
                block_errors={
                    "correct_choice": ValidationError("There is no answer with that number.")
                }
            )
        return cleaned


class LessonBodyBlock(blocks.StreamBlock):
    rich_text = blocks.RichTextBlock(features=RICH_TEXT_FEATURES)


class CoursePageForm(MoneyModelFormMixin, WagtailAdminPageForm):
    # Typed in the course's currency and main unit (25.00), stored in minor units.
    price = MoneyField(
        required=False,
        min_amount=50,
        help_text="Card price, e.g. 25.00; empty = not sold by card.",
    )
    money_fields: ClassVar[dict[str, str]] = {"price": "currency"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from cms.courses.selectors import is_course_author_only

        user = getattr(self, "for_user", None)
        if user is not None and "instructor" in self.fields and is_course_author_only(user):
            # An author teaches their own courses only.
            field = self.fields["instructor"]
            field.queryset = field.queryset.filter(user=user)


class LessonPageForm(WagtailAdminPageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "video" in self.fields:
            # Wagtail's chooser widget looks the posted id up again to redraw the form, and a
            # non-numeric id (only a hand-made POST sends one) raised there: a 500 instead of
            # the field's own "Select a valid choice" error.
            widget = self.fields["video"].widget
            lookup = widget.get_instance

            def get_instance(value):
                try:
                    return lookup(value)
                except (TypeError, ValueError):
                    return None

            widget.get_instance = get_instance

    def clean_video(self):
        """An author attaches only a video they uploaded: the chooser offers no others, and
        a hand-made POST naming someone else's document would otherwise make its file
        theirs to watch (people who may edit a lesson are served its video). A video an
        editor already set stays when the author saves without changing it."""
        from cms.courses.selectors import is_course_author_only

        video = self.cleaned_data.get("video")
        user = getattr(self, "for_user", None)
        if (
            video is not None
            and "video" in self.changed_data
            and user is not None
            and is_course_author_only(user)
            and video.uploaded_by_user_id != user.pk
        ):
            raise ValidationError("Choose one of the videos you uploaded.")
        return video


class CourseIndexPage(SeoMixin, Page):
    """The course catalogue (slug "courses" under the home page)."""

    intro = models.TextField(blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["pages.HomePage"]
    subpage_types = ["courses.CoursePage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        from cms.courses.selectors import course_catalogue

        context = super().get_context(request, *args, **kwargs)
        context["courses"] = course_catalogue(index=self)
        return context


class CoursePage(SeoMixin, Page):
    """A course taught by one practitioner. Who may take it is its access level (included
    in a membership level, or bought with credits or by card)."""

    summary = models.CharField(max_length=300, help_text="One or two sentences for listings.")
    description = RichTextField(features=RICH_TEXT_FEATURES, blank=True)
    instructor = models.ForeignKey(
        "practitioners.PractitionerProfile",
        on_delete=models.PROTECT,
        related_name="courses",
        help_text="The practitioner who teaches the course and is paid for card sales.",
    )
    access_level = models.CharField(
        max_length=16, choices=AccessLevel.choices, default=AccessLevel.MEMBER
    )
    credit_price = models.PositiveIntegerField(
        null=True, blank=True, help_text="Credits to enrol; empty = not sold for credits."
    )
    price = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(50)],
        help_text="Card price in minor units (pence); empty = not sold by card.",
    )
    currency = models.CharField(max_length=3, default="GBP")
    estimated_minutes = models.PositiveIntegerField(null=True, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("description"),
        FieldPanel("instructor"),
        FieldPanel("estimated_minutes"),
    ]
    access_panels = [
        MultiFieldPanel(
            [
                FieldPanel("access_level"),
                FieldRowPanel(
                    [FieldPanel("credit_price"), FieldPanel("price"), FieldPanel("currency")]
                ),
            ],
            heading="Access and price",
        )
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading="Content"),
            ObjectList(access_panels, heading="Access and price"),
            ObjectList(SeoMixin.promote_panels, heading="Promote"),
            ObjectList(Page.settings_panels, heading="Settings"),
        ]
    )

    base_form_class = CoursePageForm
    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.ModulePage"]

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(price__gt=0), name="course_price_positive"
            ),
            models.CheckConstraint(
                condition=Q(credit_price__isnull=True) | Q(credit_price__gt=0),
                name="course_credit_price_positive",
            ),
        ]

    def clean(self):
        super().clean()
        if self.access_level == AccessLevel.CREDITS and not self.credit_price and not self.price:
            raise ValidationError(
                {"access_level": "A course sold for credits or card needs a credit or card price."}
            )

    def get_context(self, request, *args, **kwargs):
        from cms.courses.selectors import course_outline_for

        context = super().get_context(request, *args, **kwargs)
        context.update(course_outline_for(course=self, user=request.user))
        return context


class ModulePage(Page):
    """A chapter of a course; its lessons are its children, in tree order."""

    summary = models.TextField(blank=True)

    content_panels = [*Page.content_panels, FieldPanel("summary")]
    parent_page_types = ["courses.CoursePage"]
    subpage_types = ["courses.LessonPage"]

    def get_sitemap_urls(self, request=None):
        return []  # no page of its own: the course page is the entry

    def serve(self, request, *args, **kwargs):
        from django.shortcuts import redirect

        # A module has no page of its own: the course page lists it.
        return redirect(self.get_parent().url + f"#module-{self.pk}")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["course"] = self.get_parent().specific
        context["lessons"] = LessonPage.objects.child_of(self).order_by("path")
        return context


class LessonPage(Page):
    """One lesson: a video (with resume position), text, or a quiz with a pass mark."""

    def get_sitemap_urls(self, request=None):
        return []  # open to enrolled learners only, so nothing for a crawler

    class Kind(models.TextChoices):
        VIDEO = "video", "Video"
        TEXT = "text", "Text"
        QUIZ = "quiz", "Quiz"

    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.TEXT)
    body = StreamField(LessonBodyBlock(), blank=True)
    video = models.ForeignKey(
        "wagtaildocs.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="For video lessons: the video file (MP4 or WebM), uploaded as a document.",
    )
    duration_seconds = models.PositiveIntegerField(
        null=True, blank=True, help_text="For video lessons: the video's length."
    )
    questions = StreamField([("question", QuizQuestionBlock())], blank=True)
    pass_mark_percent = models.PositiveSmallIntegerField(
        default=70, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    is_required = models.BooleanField(
        default=True, help_text="Required lessons must be done for the certificate."
    )
    drip_days = models.PositiveIntegerField(
        default=0, help_text="Opens this many days after the learner enrols (0 = at once)."
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("kind"),
        FieldPanel("body"),
        MultiFieldPanel([FieldPanel("video"), FieldPanel("duration_seconds")], heading="Video"),
        MultiFieldPanel([FieldPanel("questions"), FieldPanel("pass_mark_percent")], heading="Quiz"),
        MultiFieldPanel([FieldPanel("is_required"), FieldPanel("drip_days")], heading="Rules"),
    ]
    parent_page_types = ["courses.ModulePage"]
    subpage_types: list[str] = []
    base_form_class = LessonPageForm

    def clean(self):
        super().clean()
        if self.kind == self.Kind.VIDEO and (not self.video_id or not self.duration_seconds):
            raise ValidationError({"video": "A video lesson needs the video file and its length."})
        if self.kind == self.Kind.QUIZ and not len(self.questions):
            raise ValidationError({"questions": "A quiz needs at least one question."})

    def get_context(self, request, *args, **kwargs):
        from cms.courses.selectors import lesson_context

        context = super().get_context(request, *args, **kwargs)
        context.update(lesson_context(lesson=self))
        return context

    def serve(self, request, *args, **kwargs):
        from cms.courses.views import lesson_serve

        return lesson_serve(request, lesson=self)

    def serve_preview(self, request, mode_name):
        # Same page as learners see; lesson_serve skips enrolment checks for previews.
        request.is_preview = True
        return self.serve(request)


def new_certificate_code() -> str:
    # 12 characters of an unambiguous alphabet: unguessable and easy to read out.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


class Enrolment(models.Model):
    """A learner on a course, once (unique per person and course). A card purchase that is
    refunded in full or disputed ends the enrolment (`ended_at`); progress and any
    certificate are kept, and buying again reopens the same row."""

    class Source(models.TextChoices):
        MEMBERSHIP = "membership", "Included in membership"
        CREDITS = "credits", "Bought with credits"
        CARD = "card", "Bought by card"

    class EndReason(models.TextChoices):
        REFUNDED = "refunded", "The payment was refunded"
        DISPUTED = "disputed", "The payment is disputed"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    course = models.ForeignKey(CoursePage, on_delete=models.PROTECT, related_name="enrolments")
    source = models.CharField(max_length=16, choices=Source.choices)
    payment = models.ForeignKey(
        "payments.Payment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    enrolled_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    last_lesson = models.ForeignKey(
        LessonPage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_activity_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=16, choices=EndReason.choices, blank=True)

    class Meta:
        ordering = ["-enrolled_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="enrolment_once_per_course")
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.course_id}"


class LessonProgress(models.Model):
    """A learner's state in one lesson."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="progress")
    lesson = models.ForeignKey(LessonPage, on_delete=models.CASCADE, related_name="+")
    position_seconds = models.PositiveIntegerField(default=0)
    completed_at = models.DateTimeField(null=True, blank=True)
    quiz_attempts = models.PositiveIntegerField(default=0)
    best_score_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "lesson"], name="progress_once_per_lesson")
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id}: lesson {self.lesson_id}"

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None


ERASED_LEARNER_NAME = "A learner whose account was erased"


class Certificate(models.Model):
    """Proof of completion, issued once per enrolment. The names are a snapshot, so the
    certificate reads the same if the course or the learner is renamed later.

    When the learner is erased the name is blanked and `holder_erased_at` set: the code
    still verifies (the course was completed on that date) but says whose it was no more
    (docs/decisions/0023-erasure-and-field-encryption.md)."""

    enrolment = models.OneToOneField(
        Enrolment, on_delete=models.PROTECT, related_name="certificate"
    )
    code = models.CharField(max_length=16, unique=True, default=new_certificate_code)
    learner_name = models.CharField(max_length=200)
    course_title = models.CharField(max_length=255)
    instructor_name = models.CharField(max_length=200)
    issued_at = models.DateTimeField()
    holder_erased_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.code

    @property
    def is_holder_erased(self) -> bool:
        return self.holder_erased_at is not None

    @property
    def awarded_to(self) -> str:
        """The name to show: the snapshot, or a neutral phrase once the learner is erased."""
        return ERASED_LEARNER_NAME if self.is_holder_erased else self.learner_name
