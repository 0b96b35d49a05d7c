"""The library over REST:
GET  /api/v1/library/?topic=&format=&modality=&level=&q=&limit=&offset=
GET  /api/v1/library/{id}/
POST /api/v1/library/{id}/purchase/

Gated exactly like the pages: a locked item answers its teaser, `locked: true` and how to
unlock it, never its body or a file link. Unknown filters are a 400 with a stable code;
items the caller may not see at all (drafts, other page types) are a 404."""

from django.urls import path, reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from cms.library.entitlements import AccessLevel, content_purchase_with_credits
from cms.library.models import LibraryItemPage
from cms.library.selectors import (
    MAX_PAGE_ID,
    MAX_QUERY_LENGTH,
    Viewer,
    library_filters_from,
    library_items,
    library_search,
    with_related,
)
from commerce.errors import Conflict, InvalidRequest, NotFound
from config.pagination import MAX_OFFSET, StrictLimitOffsetPagination
from config.schema import errors


class _NoFormatOverride:
    URL_FORMAT_OVERRIDE = None

    def __getattr__(self, name):
        return getattr(api_settings, name)


class FormatIsAFilter(DefaultContentNegotiation):
    """`?format=` filters the library by item format here; DRF would otherwise read it as
    a renderer override and answer 404 for `format=video`."""

    settings = _NoFormatOverride()


class LibraryPagination(StrictLimitOffsetPagination):
    default_limit = 20
    max_limit = 100


def _item_or_404(item_id: int) -> LibraryItemPage:
    if item_id > MAX_PAGE_ID:
        raise NotFound("No such library item.", code="not_found")
    item = (
        library_items()
        .filter(pk=item_id)
        .select_related("modality", "author__user")
        .prefetch_related("topics")
        .first()
    )
    if item is None:
        raise NotFound("No such library item.", code="not_found")
    return item


def _file_links(request, item: LibraryItemPage) -> dict:
    return {
        kind: request.build_absolute_uri(reverse("library-file", kwargs={"name": file.name}))
        for kind, file in item.private_files.items()
    }


def _body_data(item: LibraryItemPage) -> list[dict]:
    blocks = []
    for child in item.body:
        if child.block_type == "rich_text":
            value = str(child.value)  # rendered HTML with internal links expanded
        else:
            value = child.block.get_api_representation(child.value)
        blocks.append({"type": child.block_type, "id": child.id, "value": value})
    return blocks


def item_data(request, item: LibraryItemPage, *, is_open: bool, viewer: Viewer, detail: bool):
    """One item as the API shows it to this viewer."""
    data = {
        "id": item.pk,
        "title": item.title,
        "slug": item.slug,
        "url": request.build_absolute_uri(item.url) if item.url else None,
        "format": item.format,
        "level": item.level,
        "teaser": item.teaser,
        "topics": [{"slug": topic.slug, "name": topic.name} for topic in item.topics.all()],
        "modality": (
            {"slug": item.modality.slug, "name": item.modality.name} if item.modality else None
        ),
        "author": str(item.author) if item.author else None,
        "duration_minutes": item.duration_minutes,
        "access_level": item.access_level,
        "credit_price": item.credit_price if item.access_level == AccessLevel.CREDITS else None,
        "locked": not is_open,
        "unlock": None if is_open else viewer.way_in(item).as_dict(),
        "published_at": item.first_published_at,
    }
    if detail:
        data["body"] = _body_data(item) if is_open else None
        data["video_url"] = (item.video_url or None) if is_open else None
        data["files"] = _file_links(request, item) if is_open else {}
    return data


class TopicSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()


class UnlockSerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=["sign_up", "join", "upgrade", "buy_with_credits", "buy_credits"]
    )
    label = serializers.CharField()
    url = serializers.CharField(help_text="Where to go (or POST to, for buy_with_credits).")
    method = serializers.ChoiceField(choices=["GET", "POST"])
    credit_price = serializers.IntegerField(allow_null=True)
    balance = serializers.IntegerField(allow_null=True)
    login_url = serializers.CharField(allow_null=True)


class LibraryItemSerializer(serializers.Serializer):
    """Documentation of the item shape (the view builds it with item_data)."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    slug = serializers.SlugField()
    url = serializers.URLField(allow_null=True)
    format = serializers.ChoiceField(choices=["article", "video", "audio", "worksheet"])
    level = serializers.ChoiceField(choices=["beginner", "intermediate", "advanced"])
    teaser = serializers.CharField()
    topics = TopicSerializer(many=True)
    modality = TopicSerializer(allow_null=True)
    author = serializers.CharField(allow_null=True)
    duration_minutes = serializers.IntegerField(allow_null=True)
    access_level = serializers.ChoiceField(choices=AccessLevel.values)
    credit_price = serializers.IntegerField(allow_null=True)
    locked = serializers.BooleanField()
    unlock = UnlockSerializer(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)


class LibraryItemDetailSerializer(LibraryItemSerializer):
    body = serializers.JSONField(allow_null=True, help_text="StreamField blocks; null if locked.")
    video_url = serializers.URLField(allow_null=True)
    files = serializers.DictField(
        child=serializers.URLField(), help_text="Permission-checked download links by kind."
    )


class LibraryListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = LibraryItemSerializer(many=True)


class PurchaseSerializer(serializers.Serializer):
    item_id = serializers.IntegerField()
    source = serializers.CharField()
    credits_spent = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    item = LibraryItemDetailSerializer()


class LibraryListView(APIView):
    permission_classes = [AllowAny]
    content_negotiation_class = FormatIsAFilter
    throttle_classes = [AnonRateThrottle, UserRateThrottle]

    @extend_schema(
        operation_id="library_list",
        parameters=[
            OpenApiParameter("topic", str, description="Topic slug."),
            OpenApiParameter("format", str, enum=["article", "video", "audio", "worksheet"]),
            OpenApiParameter("modality", str, description="Modality slug."),
            OpenApiParameter("level", str, enum=["beginner", "intermediate", "advanced"]),
            OpenApiParameter("q", str, description="Words in the title, teaser or topics."),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": LibraryPagination.max_limit},
            ),
            OpenApiParameter("offset", {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET}),
        ],
        responses=LibraryListSerializer,
    )
    def get(self, request):
        params = request.query_params
        raw_query = params.get("q", "")
        if len(raw_query) > MAX_QUERY_LENGTH or "\x00" in raw_query:
            raise InvalidRequest(
                f"q must be at most {MAX_QUERY_LENGTH} characters of text.", code="invalid_query"
            )
        filters = library_filters_from(params)
        if filters.invalid:
            raise InvalidRequest(
                f"Unknown {', '.join(filters.invalid)}.",
                code=f"unknown_{filters.invalid[0]}",
            )
        paginator = LibraryPagination()
        items = with_related(
            list(paginator.paginate_queryset(library_search(filters=filters), request))
        )
        viewer = Viewer(request.user)
        open_ids = viewer.open_ids(items)
        return paginator.get_paginated_response(
            [
                item_data(request, item, is_open=item.pk in open_ids, viewer=viewer, detail=False)
                for item in items
            ]
        )


class LibraryDetailView(APIView):
    permission_classes = [AllowAny]
    content_negotiation_class = FormatIsAFilter
    throttle_classes = [AnonRateThrottle, UserRateThrottle]

    @extend_schema(responses=LibraryItemDetailSerializer)
    def get(self, request, item_id: int):
        item = _item_or_404(item_id)
        viewer = Viewer(request.user)
        is_open = item.pk in viewer.open_ids([item])
        return Response(item_data(request, item, is_open=is_open, viewer=viewer, detail=True))


class LibraryPurchaseView(APIView):
    permission_classes = [IsAuthenticated]
    content_negotiation_class = FormatIsAFilter

    @extend_schema(
        request=None,
        responses={200: PurchaseSerializer, 201: PurchaseSerializer, **errors(402, 409)},
    )
    def post(self, request, item_id: int):
        item = _item_or_404(item_id)
        if item.access_level != AccessLevel.CREDITS or not item.credit_price:
            raise Conflict("This item is not sold for credits.", code="not_for_sale")
        viewer = Viewer(request.user)
        purchase = content_purchase_with_credits(
            user=request.user, page=item, credits=item.credit_price
        )
        return Response(
            {
                "item_id": item.pk,
                "source": purchase.source,
                "credits_spent": purchase.credits_spent,
                "created_at": purchase.created_at,
                "item": item_data(request, item, is_open=True, viewer=viewer, detail=True),
            },
            status=status.HTTP_201_CREATED if purchase.is_new else status.HTTP_200_OK,
        )


urlpatterns = [
    path("library/", LibraryListView.as_view(), name="api-library"),
    path("library/<int:item_id>/", LibraryDetailView.as_view(), name="api-library-item"),
    path(
        "library/<int:item_id>/purchase/",
        LibraryPurchaseView.as_view(),
        name="api-library-purchase",
    ),
]
