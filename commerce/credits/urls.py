from django.urls import path

from commerce.credits import views

urlpatterns = [
    path("account/credits/", views.credits_statement_view, name="credits_statement"),
]
