from django.apps import AppConfig


class CmsCoreConfig(AppConfig):
    name = "cms.core"
    label = "cms_core"
    verbose_name = "Content building blocks"

    def ready(self) -> None:
        from cms.core.erasure import register_wagtail_erasers

        register_wagtail_erasers()
