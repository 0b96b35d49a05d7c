from django.urls import path

from marketplace.clients.messaging import views

urlpatterns = [
    path(
        "dashboard/practice/clients/<int:record_id>/messages/",
        views.threads_page,
        {"side": views.PRACTITIONER},
        name="care-messages-practitioner",
    ),
    path(
        "dashboard/practice/clients/<int:record_id>/messages/<int:thread_id>/",
        views.thread_page,
        {"side": views.PRACTITIONER},
        name="care-message-thread-practitioner",
    ),
    path(
        "dashboard/practice/clients/<int:record_id>/messages/<int:thread_id>/close/",
        views.thread_close,
        name="care-message-thread-close",
    ),
    path(
        "account/care/<int:record_id>/messages/",
        views.threads_page,
        {"side": views.CLIENT},
        name="care-messages-client",
    ),
    path(
        "account/care/<int:record_id>/messages/<int:thread_id>/",
        views.thread_page,
        {"side": views.CLIENT},
        name="care-message-thread-client",
    ),
    path(
        "dashboard/practice/messages/",
        views.inbox_page,
        {"side": views.PRACTITIONER},
        name="messages-inbox-practitioner",
    ),
    path(
        "account/messages/", views.inbox_page, {"side": views.CLIENT}, name="messages-inbox-client"
    ),
]
