"""Pages of the lead flow (included at the site root)."""

from django.urls import path

from marketing_site.leads import views

app_name = "leads"

urlpatterns = [
    path("leads/", views.lead_submit, name="submit"),
    path("leads/thanks/", views.lead_thanks, name="thanks"),
    path("leads/confirm/<str:token>/", views.lead_confirm_view, name="confirm"),
    path("leads/unsubscribe/<str:token>/", views.lead_unsubscribe_view, name="unsubscribe"),
]
