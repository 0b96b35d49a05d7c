from django.urls import path

from commerce.bookings import booking_views, contact_views

urlpatterns = [
    path(
        "practitioners/<slug:slug>/book/",
        booking_views.booking_start_view,
        name="booking-start",
    ),
    path("bookings/<int:booking_id>/", booking_views.booking_detail_view, name="booking-detail"),
    path("bookings/<int:booking_id>/paid/", booking_views.booking_paid_view, name="booking-paid"),
    path(
        "bookings/<int:booking_id>/checkout-cancelled/",
        booking_views.booking_checkout_cancelled_view,
        name="booking-checkout-cancelled",
    ),
    path("account/bookings/", booking_views.account_bookings_view, name="account-bookings"),
    path("account/text-reminders/", contact_views.account_sms_view, name="account-sms"),
    path(
        "account/bookings/<int:booking_id>/cancel/",
        booking_views.account_booking_cancel_view,
        name="account-booking-cancel",
    ),
    path(
        "account/bookings/<int:booking_id>/move/",
        booking_views.account_booking_reschedule_view,
        name="account-booking-reschedule",
    ),
]
