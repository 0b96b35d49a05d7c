"""Library pages served by the item page's routes, and the private file download."""

from pathlib import PurePosixPath

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db.models import Q
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from cms.library.entitlements import AccessLevel, content_purchase_with_credits, has_access
from cms.library.models import LibraryItemPage
from cms.library.selectors import Viewer
from commerce.errors import CommerceError, InsufficientCredits
from filestore import private_file_response

FILE_KINDS = {"video": "video_file", "audio": "audio_file", "worksheet": "worksheet_file"}


def _private_headers(response, *, is_public: bool) -> None:
    # What the page shows depends on who is looking unless the item is public.
    response["Cache-Control"] = "private" if is_public else "private, no-store"


def item_page(request, *, page: LibraryItemPage, preview: bool = False):
    """The item: its content when the viewer may open it, otherwise its teaser and the
    way in (sign up, join, upgrade, or buy with credits)."""
    is_open = preview or has_access(user=request.user, page=page, access_level=page.access_level)
    viewer = Viewer(request.user)
    context = page.get_context(request)
    context.update(
        {
            "is_open": is_open,
            "way_in": None if is_open else viewer.way_in(page, next_url=request.path),
            "files": page.private_files if is_open else {},
            "is_preview": preview,
            "index_page": page.get_parent(),
        }
    )
    response = TemplateResponse(request, page.get_template(request), context)
    _private_headers(response, is_public=page.access_level == AccessLevel.PUBLIC)
    return response


def item_buy(request, *, page: LibraryItemPage):
    """POST: buy the item with credits, then show it. Anything else goes to the item."""
    if request.method != "POST":
        if request.method in ("GET", "HEAD"):
            return redirect(page.url)
        return HttpResponseNotAllowed(["POST"])
    if not request.user.is_authenticated:
        return redirect_to_login(page.url)
    if page.access_level != AccessLevel.CREDITS or not page.credit_price:
        return redirect(page.url)
    if has_access(user=request.user, page=page, access_level=page.access_level):
        return redirect(page.url)
    try:
        content_purchase_with_credits(user=request.user, page=page, credits=page.credit_price)
    except InsufficientCredits:
        messages.error(request, "You do not have enough credits for this yet.")
        return redirect(page.url)
    except CommerceError as error:
        messages.error(request, error.detail)
        return redirect(page.url)
    messages.success(request, f"“{page.title}” is yours. Enjoy it.")
    return HttpResponseRedirect(page.url, status=303)


def private_file(request, name: str):
    """Streams one locked file to someone who may open its item; 404 for everyone else,
    and for names no live item uses, so a guess learns nothing."""
    if not name or ".." in PurePosixPath(name).parts:
        raise Http404
    match = Q()
    for field_name in FILE_KINDS.values():
        match |= Q(**{field_name: name})
    page = LibraryItemPage.objects.live().public().filter(match).first()
    if page is None or not has_access(user=request.user, page=page, access_level=page.access_level):
        raise Http404
    # Worksheets download; audio and video play in the page.
    return private_file_response(name, as_attachment=name.lower().endswith(".pdf"))
