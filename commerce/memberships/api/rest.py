from django.urls import path, reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.memberships import services
from commerce.memberships.models import Membership, MembershipPlan
from commerce.memberships.selectors import membership_plans_active
from config.schema import errors

# Stripe Checkout's page; in the embedded mode a path on this site (the local simulator).
CHECKOUT_URL = serializers.CharField(help_text="Where to pay.")


class PlanSerializer(serializers.ModelSerializer):
    features = serializers.SerializerMethodField()

    class Meta:
        model = MembershipPlan
        fields = [
            "slug",
            "name",
            "tagline",
            "features",
            "price",
            "currency",
            "interval",
            "monthly_credit_allowance",
            "member_discount_percent",
            "access_level",
        ]

    def get_features(self, plan) -> list[str]:
        return plan.feature_list()


class MembershipSerializer(serializers.ModelSerializer):
    plan = PlanSerializer()

    class Meta:
        model = Membership
        fields = ["plan", "status", "current_period_end", "cancel_at_period_end", "grace_until"]


class MyMembershipSerializer(serializers.Serializer):
    """GET memberships/me/ (documentation only): the membership, or `status: free` with
    `plan: null` and nothing else when the caller has no current one."""

    plan = PlanSerializer(allow_null=True)
    status = serializers.ChoiceField(choices=[*Membership.Status.values, "free"])
    current_period_end = serializers.DateTimeField(required=False, allow_null=True)
    cancel_at_period_end = serializers.BooleanField(required=False)
    grace_until = serializers.DateTimeField(required=False, allow_null=True)


class PlanListView(APIView):
    """GET /api/v1/membership-plans/ (public)."""

    permission_classes = [AllowAny]
    serializer_class = PlanSerializer

    @extend_schema(responses=PlanSerializer(many=True))
    def get(self, request):
        return Response(PlanSerializer(membership_plans_active(), many=True).data)


class CheckoutInputSerializer(serializers.Serializer):
    plan = serializers.SlugField(max_length=40)


class CheckoutView(APIView):
    """POST /api/v1/memberships/checkout/ {plan} → {checkout_url}."""

    serializer_class = CheckoutInputSerializer

    @extend_schema(
        request=CheckoutInputSerializer,
        responses={
            201: inline_serializer("MembershipCheckoutStarted", {"checkout_url": CHECKOUT_URL}),
            **errors(409),
        },
    )
    def post(self, request):
        data = CheckoutInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        checkout = services.membership_checkout_start(
            user=request.user,
            plan=services.plan_for_slug(data.validated_data["plan"]),
            success_url=request.build_absolute_uri(reverse("membership-welcome"))
            + "?session_id={CHECKOUT_SESSION_ID}",
            cancel_url=request.build_absolute_uri(reverse("membership-plans")),
        )
        return Response({"checkout_url": checkout.checkout_url}, status=201)


class MyMembershipView(APIView):
    """GET /api/v1/memberships/me/ → the membership, or the free level."""

    serializer_class = MembershipSerializer

    @extend_schema(responses=MyMembershipSerializer)
    def get(self, request):
        membership = Membership.objects.select_related("plan").filter(user=request.user).first()
        if membership is None or not membership.is_current:
            return Response({"plan": None, "status": "free"})
        return Response(MembershipSerializer(membership).data)


urlpatterns = [
    path("membership-plans/", PlanListView.as_view(), name="api-membership-plans"),
    path("memberships/checkout/", CheckoutView.as_view(), name="api-membership-checkout"),
    path("memberships/me/", MyMembershipView.as_view(), name="api-membership-me"),
]
