"""Message pages. The practitioner's under /dashboard/practice/clients/<record_id>/messages/,
the client's under /account/care/<record_id>/messages/, and an inbox for each. Every
record page asks records.access first (404 for anyone else); opening a thread is audited
as a read and marks it read."""

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.errors import DomainError
from marketplace.clients.messaging import selectors, services
from marketplace.clients.messaging.forms import ReplyForm, ThreadForm
from marketplace.clients.messaging.models import Thread
from marketplace.clients.records.access import Access, record_access
from marketplace.clients.records.pages import record_frame

# Ids beyond a bigint name nothing and must not reach the database driver.
MAX_ID = 2**63 - 1
MESSAGES_PER_PAGE = 50
THREADS_PER_PAGE = 25
INBOX_PER_PAGE = 25

CLIENT = "client"
PRACTITIONER = "practitioner"
# Who may open each side's pages: the record's client on theirs; its practitioner, or
# staff under break-glass (read only), on the practitioner's.
SIDE_ROLES = {CLIENT: {"client"}, PRACTITIONER: {"practitioner", "break_glass"}}


def _access(request, record_id, side: str) -> Access:
    access = record_access(user=request.user, record_id=record_id)
    if access.role not in SIDE_ROLES[side]:
        raise Http404("No such record.")
    return access


def _names(side: str) -> dict[str, str]:
    return {
        "threads": f"care-messages-{side}",
        "thread": f"care-message-thread-{side}",
        "close": "care-message-thread-close",
        "inbox": f"messages-inbox-{side}",
    }


def _base_template(side: str) -> str:
    return f"messaging/{side}_base.html"


def _page(request, items, per_page: int):
    paginator = Paginator(items, per_page)
    raw = request.GET.get("page") or "last"
    try:
        return paginator.page(paginator.num_pages if raw == "last" else raw)
    except (EmptyPage, PageNotAnInteger):
        raise Http404("No such page.") from None


def _thread_or_404(access: Access, thread_id) -> Thread:
    if not 0 < int(thread_id) <= MAX_ID:
        raise Http404("No such conversation.")
    thread = Thread.objects.filter(pk=thread_id, record=access.record).first()
    if thread is None:
        raise Http404("No such conversation.")
    return thread


@login_required
@require_http_methods(["GET", "POST"])
def threads_page(request, record_id, side: str):
    access = _access(request, record_id, side)
    form = ThreadForm()
    status = 200
    if request.method == "POST":
        form = ThreadForm(request.POST, request.FILES)
        if access.role not in {"client", "practitioner"}:
            raise Http404("No such record.")
        if form.is_valid():
            try:
                posted = services.thread_start(
                    access=access,
                    user=request.user,
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                    attachment=form.cleaned_data.get("attachment"),
                    request=request,
                )
            except DomainError as error:
                form.add_error(None, error.detail)
            except ValidationError as error:
                form.add_error("attachment", error.messages)
            else:
                flash.success(request, "Message sent.")
                return redirect(
                    reverse(
                        _names(side)["thread"],
                        kwargs={"record_id": access.record.pk, "thread_id": posted.thread.pk},
                    )
                )
        status = 400
    threads = selectors.threads_with_unread(user=request.user, record=access.record)
    paginator = Paginator(threads, THREADS_PER_PAGE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except (EmptyPage, PageNotAnInteger):
        raise Http404("No such page.") from None
    services.record_messages_read(access=access, user=request.user, request=request)
    return render(
        request,
        "messaging/threads.html",
        {
            **record_frame(request, access, active="messages"),
            "names": _names(side),
            "page": page,
            "form": form,
            "can_write": access.role in {"client", "practitioner"},
            "support_email": settings.SUPPORT_EMAIL,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def thread_page(request, record_id, thread_id, side: str):
    access = _access(request, record_id, side)
    thread = _thread_or_404(access, thread_id)
    form = ReplyForm()
    status = 200
    if request.method == "POST":
        if access.role not in {"client", "practitioner"}:
            raise Http404("No such record.")
        form = ReplyForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.message_post(
                    access=access,
                    thread=thread,
                    user=request.user,
                    body=form.cleaned_data["body"],
                    attachment=form.cleaned_data.get("attachment"),
                    request=request,
                )
            except DomainError as error:
                form.add_error(None, error.detail)
            except ValidationError as error:
                form.add_error("attachment", error.messages)
            else:
                flash.success(request, "Message sent.")
                return redirect(request.path)
        status = 400
        thread.refresh_from_db()
    page = _page(request, selectors.thread_messages(thread=thread), MESSAGES_PER_PAGE)
    services.thread_mark_read(access=access, thread=thread, user=request.user, request=request)
    return render(
        request,
        "messaging/thread.html",
        {
            **record_frame(request, access, active="messages"),
            "thread": thread,
            "names": _names(side),
            "page": page,
            "form": form,
            "can_write": access.role in {"client", "practitioner"} and not thread.is_closed,
            "can_close": access.role == "practitioner" and not thread.is_closed,
            "support_email": settings.SUPPORT_EMAIL,
        },
        status=status,
    )


@login_required
@require_POST
def thread_close(request, record_id, thread_id):
    access = _access(request, record_id, PRACTITIONER)
    thread = _thread_or_404(access, thread_id)
    if access.role != "practitioner":
        raise Http404("No such record.")
    services.thread_close(access=access, thread=thread, user=request.user, request=request)
    flash.success(request, "The conversation is closed.")
    return redirect(
        reverse(
            "care-message-thread-practitioner",
            kwargs={"record_id": access.record.pk, "thread_id": thread.pk},
        )
    )


@login_required
@require_http_methods(["GET"])
def inbox_page(request, side: str):
    """Every record with messages, newest first, with its unread count: one query for
    the page of records and their counts. Shows who and when, never subjects."""
    records = selectors.inbox(user=request.user)
    if side == CLIENT:
        records = records.filter(client=request.user)
    else:
        records = records.filter(practitioner__user=request.user)
    paginator = Paginator(records, INBOX_PER_PAGE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except (EmptyPage, PageNotAnInteger):
        raise Http404("No such page.") from None
    return render(
        request,
        "messaging/inbox.html",
        {
            "side": side,
            "base_template": _base_template(side),
            "names": _names(side),
            "page": page,
            "support_email": settings.SUPPORT_EMAIL,
        },
    )
