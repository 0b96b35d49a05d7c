"""Staff screens in the Wagtail admin (the staff portal)."""

from allauth.idp.oidc.adapter import get_adapter as get_oidc_adapter
from allauth.idp.oidc.models import Client
from django.contrib import messages
from wagtail import hooks
from wagtail.admin.views.generic import CreateView
from wagtail.admin.viewsets.model import ModelViewSet


class OidcClientCreateView(CreateView):
    """Generates the client secret server-side; it is shown once and stored hashed."""

    def save_instance(self):
        secret = get_oidc_adapter().generate_client_secret()
        self.form.instance.set_secret(secret)
        instance = super().save_instance()
        messages.warning(
            self.request,
            f"Copy the client secret now, it is shown only once: {secret}",
        )
        return instance


class OidcClientViewSet(ModelViewSet):
    """Relying parties (community, support desk, apps) that sign people in through
    Aeyia's OpenID Connect provider."""

    model = Client
    icon = "key"
    menu_label = "Sign-in clients (OIDC)"
    menu_name = "oidc-clients"
    add_to_admin_menu = False
    add_to_settings_menu = True
    url_prefix = "oidc-clients"
    add_view_class = OidcClientCreateView
    list_display = ["name", "id", "type", "skip_consent", "created_at"]
    search_fields = ["name", "id"]
    form_fields = [
        "name",
        "type",
        "redirect_uris",
        "scopes",
        "default_scopes",
        "grant_types",
        "response_types",
        "cors_origins",
        "skip_consent",
    ]


@hooks.register("register_admin_viewset")
def register_oidc_client_viewset():
    return OidcClientViewSet("oidc_clients")
