from django.apps import AppConfig


class SeoConfig(AppConfig):
    name = "marketing_site.seo"
    label = "seo"
    verbose_name = "SEO"
