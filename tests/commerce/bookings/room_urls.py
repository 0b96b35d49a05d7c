"""The project's URLs plus a session room page under the name rooms-web gives it, so the
reminder tests see the Join link whether or not the rooms app is in this build."""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


def _room(request, booking_id):
    return HttpResponse(status=204)


urlpatterns = [
    path("account/bookings/<int:booking_id>/room/", _room, name="room"),
    *project_urlpatterns,
]
