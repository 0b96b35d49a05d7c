from django.urls import path, reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.credits.models import CreditPack
from commerce.payments import services
from config.schema import errors

# Stripe Checkout's page; in the embedded mode a path on this site (the local simulator).
CHECKOUT_URL = serializers.CharField(help_text="Where to pay.")


class CreditPackSerializer(serializers.ModelSerializer):
    class Meta:
        model = CreditPack
        fields = ["id", "name", "credit_count", "price", "currency", "validity_days"]


class CreditPackListView(APIView):
    """GET /api/v1/credit-packs/ (public)."""

    permission_classes = [AllowAny]
    serializer_class = CreditPackSerializer

    @extend_schema(responses=CreditPackSerializer(many=True))
    def get(self, request):
        packs = CreditPack.objects.filter(is_active=True).order_by("sort_order", "price")
        return Response(CreditPackSerializer(packs, many=True).data)


class PackCheckoutInputSerializer(serializers.Serializer):
    pack = serializers.IntegerField(min_value=1)


class CreditPackCheckoutView(APIView):
    """POST /api/v1/credits/checkout/ {pack} → {checkout_url, payment}."""

    serializer_class = PackCheckoutInputSerializer

    @extend_schema(
        request=PackCheckoutInputSerializer,
        responses={
            201: inline_serializer(
                "CreditPackCheckoutStarted",
                {"checkout_url": CHECKOUT_URL, "payment": serializers.IntegerField()},
            ),
            **errors(409),
        },
    )
    def post(self, request):
        data = PackCheckoutInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payment = services.credit_pack_checkout_create(
            user=request.user,
            pack_id=data.validated_data["pack"],
            success_url=request.build_absolute_uri(reverse("credit-packs-done"))
            + "?session_id={CHECKOUT_SESSION_ID}",
            cancel_url=request.build_absolute_uri(reverse("credit-packs")),
        )
        return Response({"checkout_url": payment.checkout_url, "payment": payment.pk}, status=201)


urlpatterns = [
    path("credit-packs/", CreditPackListView.as_view(), name="api-credit-packs"),
    path("credits/checkout/", CreditPackCheckoutView.as_view(), name="api-credit-checkout"),
]
