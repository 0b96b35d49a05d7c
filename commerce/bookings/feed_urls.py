from django.urls import path

from commerce.bookings import feed_views

urlpatterns = [
    path("calendar/<str:token>.ics", feed_views.calendar_feed, name="bookings-calendar-feed"),
]
