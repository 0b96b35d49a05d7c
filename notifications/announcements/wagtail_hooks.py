"""Staff screens for announcements in the Wagtail admin: the list, writing and editing a
draft, and the preview (the email and in-app item as rendered for sending, and how many
people it reaches) with Schedule, Send now and Back to draft. Seeing and writing need the
model's view/add/change permissions, scheduling and sending `send_announcement`; the Staff
group holds them (migration 0002), editors do not."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from notifications.announcements import selectors, services
from notifications.announcements.forms import AnnouncementForm, ScheduleForm
from notifications.announcements.models import Announcement

VIEW = "announcements.view_announcement"
ADD = "announcements.add_announcement"
CHANGE = "announcements.change_announcement"
SEND = "announcements.send_announcement"


def _require(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def index_view(request):
    _require(request, VIEW)
    announcements = list(Announcement.objects.select_related("created_by")[:200])
    return TemplateResponse(
        request,
        "announcements/admin/index.html",
        {
            "page_title": "Announcements",
            "header_icon": "mail",
            "rows": [(a, selectors.audience_label(a)) for a in announcements],
            "can_add": request.user.has_perm(ADD),
        },
    )


def _form_errors_from(form: AnnouncementForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


def edit_view(request, announcement_id: int | None = None):
    announcement = None
    if announcement_id is None:
        _require(request, ADD)
    else:
        _require(request, CHANGE)
        announcement = get_object_or_404(Announcement, pk=announcement_id)
        if not announcement.editable:
            messages.error(
                request, "This announcement is being sent or was sent: it cannot change."
            )
            return redirect("announcements_preview", announcement.pk)
    initial = (
        {
            "title": announcement.title,
            "body": announcement.body,
            "kind": announcement.kind,
            "channels": announcement.channels,
            "link": announcement.link,
            "segment_key": announcement.segment_key,
            "segment_params": announcement.segment_params,
        }
        if announcement
        else {"kind": Announcement.Kind.MARKETING, "channels": ["email"], "segment_key": "everyone"}
    )
    if request.method == "POST":
        form = AnnouncementForm(request.POST, initial=initial)
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = services.announcement_save(
                    announcement_id=announcement.pk if announcement else None,
                    title=data["title"],
                    body=data["body"],
                    kind=data["kind"],
                    channels=data["channels"],
                    segment_key=data["segment_key"],
                    segment_params=data["segment_params"],
                    link=data["link"],
                    author=request.user,
                )
            except ValidationError as error:
                _form_errors_from(form, error)
            else:
                messages.success(request, "Saved. Check the preview, then schedule or send it.")
                return redirect("announcements_preview", saved.pk)
    else:
        form = AnnouncementForm(initial=initial)
    return TemplateResponse(
        request,
        "announcements/admin/edit.html",
        {
            "page_title": "Edit announcement" if announcement else "New announcement",
            "header_icon": "mail",
            "form": form,
            "announcement": announcement,
        },
        status=400 if request.method == "POST" else 200,
    )


def preview_view(request, announcement_id: int):
    _require(request, VIEW)
    announcement = get_object_or_404(Announcement, pk=announcement_id)
    return _preview(request, announcement, ScheduleForm())


def _preview(request, announcement, schedule_form, status=200):
    return TemplateResponse(
        request,
        "announcements/admin/preview.html",
        {
            "page_title": announcement.title,
            "header_icon": "mail",
            "announcement": announcement,
            "audience": selectors.audience_label(announcement),
            "preview": selectors.announcement_preview(announcement, viewer=request.user),
            "schedule_form": schedule_form,
            "can_send": request.user.has_perm(SEND),
            "can_change": request.user.has_perm(CHANGE),
        },
        status=status,
    )


@require_POST
def schedule_view(request, announcement_id: int):
    _require(request, SEND)
    announcement = get_object_or_404(Announcement, pk=announcement_id)
    now = request.POST.get("action") == "send_now"
    form = ScheduleForm(request.POST)
    if not now and not form.is_valid():
        return _preview(request, announcement, form, status=400)
    try:
        services.announcement_schedule(
            announcement_id=announcement.pk, send_at=None if now else form.cleaned_data["send_at"]
        )
    except ValidationError as error:
        form = ScheduleForm(request.POST)
        form.is_valid()
        for message in error.messages:
            form.add_error("send_at" if not now else None, message)
        return _preview(request, announcement, form, status=400)
    messages.success(request, "Sending now." if now else "Scheduled.")
    return redirect("announcements_preview", announcement.pk)


@require_POST
def unschedule_view(request, announcement_id: int):
    _require(request, SEND)
    announcement = get_object_or_404(Announcement, pk=announcement_id)
    try:
        services.announcement_unschedule(announcement_id=announcement.pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Back to draft: it will not be sent until scheduled again.")
    return redirect("announcements_preview", announcement.pk)


@hooks.register("register_admin_urls")
def register_announcement_urls():
    return [
        path("announcements/", index_view, name="announcements_index"),
        path("announcements/new/", edit_view, name="announcements_add"),
        path("announcements/<int:announcement_id>/", preview_view, name="announcements_preview"),
        path("announcements/<int:announcement_id>/edit/", edit_view, name="announcements_edit"),
        path(
            "announcements/<int:announcement_id>/schedule/",
            schedule_view,
            name="announcements_schedule",
        ),
        path(
            "announcements/<int:announcement_id>/unschedule/",
            unschedule_view,
            name="announcements_unschedule",
        ),
    ]


class AnnouncementsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(VIEW)


@hooks.register("register_admin_menu_item")
def register_announcements_menu_item():
    return AnnouncementsMenuItem(
        "Announcements", reverse("announcements_index"), icon_name="mail", order=850
    )
