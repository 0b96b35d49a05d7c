from django.apps import AppConfig


class TypeformLocalConfig(AppConfig):
    """The offline Typeform's form page (templates, URL). The live adapter needs none of
    it; the app only has to be installed for the local one."""

    name = "integrations.typeform"
    label = "typeform_local"
    verbose_name = "Typeform (offline)"
