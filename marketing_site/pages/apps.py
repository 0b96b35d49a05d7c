from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "marketing_site.pages"
    label = "pages"
    verbose_name = "Marketing pages"
