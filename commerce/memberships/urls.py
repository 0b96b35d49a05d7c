from django.urls import path

from commerce.memberships import views

urlpatterns = [
    path("membership/", views.plans, name="membership-plans"),
    path("membership/join/<slug:slug>/", views.join, name="membership-join"),
    path("membership/welcome/", views.welcome, name="membership-welcome"),
    path("account/membership/", views.manage, name="membership-manage"),
    path("account/membership/cancel/", views.cancel, name="membership-cancel"),
    path("account/membership/resume/", views.resume, name="membership-resume"),
    path("account/membership/card/", views.update_card, name="membership-update-card"),
]
