"""The practitioner's practice dashboard, /dashboard/practice/ (MFA-protected with the
rest of /dashboard/)."""

from django.urls import path

from commerce.bookings import dashboard_views as views

urlpatterns = [
    path("dashboard/practice/", views.calendar_week, name="practice-calendar"),
    path(
        "dashboard/practice/bookings/<int:booking_id>/",
        views.booking_detail,
        name="practice-booking",
    ),
    path(
        "dashboard/practice/bookings/<int:booking_id>/cancel/",
        views.booking_cancel_view,
        name="practice-booking-cancel",
    ),
    path(
        "dashboard/practice/bookings/<int:booking_id>/move/",
        views.booking_reschedule_view,
        name="practice-booking-reschedule",
    ),
    path(
        "dashboard/practice/bookings/<int:booking_id>/no-show/",
        views.booking_no_show_view,
        name="practice-booking-no-show",
    ),
    path("dashboard/practice/availability/", views.availability, name="practice-availability"),
    path(
        "dashboard/practice/availability/rules/",
        views.rule_add,
        name="practice-rule-add",
    ),
    path(
        "dashboard/practice/availability/overrides/",
        views.override_add,
        name="practice-override-add",
    ),
    path(
        "dashboard/practice/availability/time-off/",
        views.time_off_add,
        name="practice-time-off-add",
    ),
    path(
        "dashboard/practice/availability/calendars/",
        views.calendar_add,
        name="practice-calendar-add",
    ),
    path(
        "dashboard/practice/availability/<str:kind>/<int:row_id>/delete/",
        views.availability_delete,
        name="practice-availability-delete",
    ),
    path(
        "dashboard/practice/availability/feed/rotate/",
        views.feed_rotate,
        name="practice-feed-rotate",
    ),
    path(
        "dashboard/practice/availability/feed/revoke/",
        views.feed_revoke,
        name="practice-feed-revoke",
    ),
    path("dashboard/practice/services/", views.service_list, name="practice-services"),
    path("dashboard/practice/services/new/", views.service_add, name="practice-service-add"),
    path(
        "dashboard/practice/services/<int:service_id>/",
        views.service_edit,
        name="practice-service-edit",
    ),
    path(
        "dashboard/practice/services/<int:service_id>/deactivate/",
        views.service_activate,
        {"is_active": False},
        name="practice-service-deactivate",
    ),
    path(
        "dashboard/practice/services/<int:service_id>/activate/",
        views.service_activate,
        {"is_active": True},
        name="practice-service-activate",
    ),
    path("dashboard/practice/clients/", views.client_list, name="practice-clients"),
]
