from django.apps import AppConfig


class CmsCoreConfig(AppConfig):
    name = "cms.core"
    label = "cms_core"
    verbose_name = "Content building blocks"
