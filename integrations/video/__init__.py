"""Video for session rooms behind a port (DESIGN.md §4, decision 0041).
`get_video_provider()` returns the adapter named by the VIDEO_PROVIDER setting:
`integrations.video.local.LocalVideoProvider` (peer-to-peer WebRTC) or
`integrations.video.live.ChimeVideoProvider` (AWS Chime SDK Meetings)."""

from functools import cache

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

from integrations.video.protocol import VideoProvider

# Settings the built adapter reads at construction (the live client's region, timeouts).
_ADAPTER_SETTINGS = frozenset(
    {"VIDEO_PROVIDER", "AWS_CHIME_REGION", "CHIME_MEDIA_REGION", "CHIME_RECORDING_BUCKET",
     "VIDEO_TIMEOUT_SECONDS", "VIDEO_MAX_ATTEMPTS",}
)  # fmt: skip


@cache
def get_video_provider() -> VideoProvider:
    return import_string(settings.VIDEO_PROVIDER)()


@receiver(setting_changed)
def _forget_provider(*, setting: str, **kwargs: object) -> None:
    # A test's `settings` fixture or override_settings switching adapter or region must
    # not get the adapter built for the old value.
    if setting in _ADAPTER_SETTINGS:
        get_video_provider.cache_clear()
