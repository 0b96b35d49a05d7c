"""The session room's pages. The room and its endpoints sit under /account/bookings/ for
both participants (who may enter is the room's rule, not the URL's); marking a session
delivered by phone is a practice action, under /dashboard/ with its second-factor rule."""

from django.urls import path

from commerce.rooms import views

urlpatterns = [
    path("account/bookings/<int:booking_id>/room/", views.room_view, name="room"),
    path("account/bookings/<int:booking_id>/room/token/", views.room_token_view, name="room-token"),
    path("account/bookings/<int:booking_id>/room/files/", views.room_files_view, name="room-files"),
    path(
        "account/bookings/<int:booking_id>/room/recording/",
        views.room_recording_view,
        name="room-recording",
    ),
    path(
        "account/bookings/<int:booking_id>/room/phone/",
        views.room_fallback_phone_view,
        name="room-fallback-phone",
    ),
    path(
        "dashboard/practice/bookings/<int:booking_id>/delivered-by-phone/",
        views.room_delivered_by_phone_view,
        name="room-delivered-by-phone",
    ),
]
