from django.urls import path

from commerce.bookings import public_views

urlpatterns = [
    path("practitioners/", public_views.practitioner_list_view, name="practitioner-list"),
    path(
        "practitioners/<slug:slug>/",
        public_views.practitioner_profile_view,
        name="practitioner-profile",
    ),
]
