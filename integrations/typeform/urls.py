"""The offline Typeform's form page, mounted at /typeform-local/."""

from django.urls import path

from integrations.typeform import views

urlpatterns = [
    path("<str:form_id>/", views.form_page, name="typeform-local-form"),
]
