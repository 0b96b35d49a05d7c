"""GET /api/v1/credits/: the signed-in user's balance and ledger entries."""

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from commerce.credits.models import CreditEntry, CreditTransaction
from commerce.credits.selectors import (
    credits_available,
    credits_balance,
    credits_next_expiry,
    credits_statement,
)
from config.pagination import MAX_OFFSET, StrictLimitOffsetPagination


class CreditEntrySerializer(serializers.ModelSerializer):
    transaction_id = serializers.IntegerField(source="transaction.pk")
    created_at = serializers.DateTimeField(source="transaction.created_at")
    kind = serializers.ChoiceField(
        source="transaction.kind", choices=CreditTransaction.Kind.choices
    )
    description = serializers.CharField(source="transaction.description")
    lot_id = serializers.IntegerField(allow_null=True)
    lot_expires_at = serializers.DateTimeField(source="lot.expires_at", allow_null=True)

    class Meta:
        model = CreditEntry
        fields = [
            "id",
            "transaction_id",
            "created_at",
            "kind",
            "description",
            "amount",
            "lot_id",
            "lot_expires_at",
        ]
        read_only_fields = fields


class NextExpirySerializer(serializers.Serializer):
    amount = serializers.IntegerField()
    expires_at = serializers.DateTimeField()


class CreditsSerializer(serializers.Serializer):
    """The response envelope (documentation only)."""

    balance = serializers.IntegerField(help_text="Credits in the wallet.")
    available = serializers.IntegerField(help_text="Credits that can be spent now.")
    next_expiry = NextExpirySerializer(allow_null=True)
    count = serializers.IntegerField(help_text="How many entries there are in all.")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    entries = CreditEntrySerializer(many=True)


class CreditEntryPagination(StrictLimitOffsetPagination):
    default_limit = 50
    max_limit = 200


class CreditsView(GenericAPIView):
    """The signed-in user's credit balance and wallet entries, newest first
    (`?limit=&offset=`)."""

    serializer_class = CreditEntrySerializer
    pagination_class = CreditEntryPagination

    def get_queryset(self):
        return credits_statement(user=self.request.user)

    @extend_schema(
        responses=CreditsSerializer,
        parameters=[
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": CreditEntryPagination.max_limit},
                description="Entries per page (default 50, at most 200).",
            ),
            OpenApiParameter(
                "offset",
                {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET},
                description="Entries to skip.",
            ),
        ],
    )
    def get(self, request):
        user = request.user
        entries = self.paginate_queryset(self.get_queryset())
        next_expiry = credits_next_expiry(user=user)
        paginator = self.paginator
        return Response(
            {
                "balance": credits_balance(user=user),
                "available": credits_available(user=user),
                "next_expiry": (
                    NextExpirySerializer(next_expiry).data if next_expiry is not None else None
                ),
                "count": paginator.count,
                "next": paginator.get_next_link(),
                "previous": paginator.get_previous_link(),
                "entries": self.get_serializer(entries, many=True).data,
            }
        )


urlpatterns = [
    path("credits/", CreditsView.as_view(), name="api-credits"),
]
