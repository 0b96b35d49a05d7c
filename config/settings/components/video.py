from .env import env

# Session rooms' video (decision 0041). Which adapter serves
# integrations.video.get_video_provider(): peer-to-peer WebRTC by default
# (integrations.video.local.LocalVideoProvider), or the AWS Chime SDK Meetings
# (integrations.video.live.ChimeVideoProvider). Production may keep peer-to-peer only
# with a TURN server (the deploy check insists on TURN_URLS and TURN_SECRET).
VIDEO_PROVIDER = env.str("VIDEO_PROVIDER", default="integrations.video.local.LocalVideoProvider")
# Chime: the region of the API endpoint (control plane), and the region the media is
# hosted in (pick the one nearest the people in the session; data residency applies).
AWS_CHIME_REGION = env.str("AWS_CHIME_REGION", default="us-east-1")
CHIME_MEDIA_REGION = env.str("CHIME_MEDIA_REGION", default="eu-west-2")
# Chime server-side recording: the private, KMS-encrypted S3 bucket media capture
# pipelines write to (its policy must let mediapipelines.chime.amazonaws.com put objects).
# Empty: the live adapter refuses to record rather than record somewhere unplanned.
CHIME_RECORDING_BUCKET = env.str("CHIME_RECORDING_BUCKET", default="")
# Connect and read timeout per Chime request (seconds), and total attempts (first included).
VIDEO_TIMEOUT_SECONDS = env.int("VIDEO_TIMEOUT_SECONDS", default=5)
VIDEO_MAX_ATTEMPTS = env.int("VIDEO_MAX_ATTEMPTS", default=3)
# ICE servers the browsers use. STUN: comma-separated stun: URLs (empty on `make run`: both
# browsers share a machine). TURN: comma-separated turn:/turns: URLs of our coturn
# (platform/coturn) and its static-auth-secret; credentials are minted per join in the
# TURN REST API form and live TURN_TTL seconds (long enough for a session plus grace:
# coturn checks the expiry again on every allocation refresh).
STUN_URLS = env.list("STUN_URLS", default=[])
TURN_URLS = env.list("TURN_URLS", default=[])
TURN_SECRET = env.str("TURN_SECRET", default="")
TURN_TTL = env.int("TURN_TTL", default=6 * 60 * 60)
