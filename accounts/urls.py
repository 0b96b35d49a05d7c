from django.urls import path

from accounts import views

urlpatterns = [
    path("account/", views.account_overview, name="account_overview"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
