from django.apps import AppConfig


class ContentfulSyncConfig(AppConfig):
    name = "cms.contentful_sync"
    label = "contentful_sync"
    verbose_name = "Contentful sync"
