"""Library routes outside the page tree: the permission-checked private file view."""

from django.urls import path

from cms.library import views

urlpatterns = [
    path("library/files/<path:name>", views.private_file, name="library-file"),
]
