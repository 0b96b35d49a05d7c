from .env import env

# Session rooms (decision 0040). A room opens ROOM_OPENS_MINUTES before a confirmed online
# session and closes ROOM_GRACE_MINUTES after its end (a session that overruns a little
# is not cut off mid-sentence).
ROOM_OPENS_MINUTES = env.int("ROOM_OPENS_MINUTES", default=10)
ROOM_GRACE_MINUTES = env.int("ROOM_GRACE_MINUTES", default=15)
# A join token lets one socket in once; it is issued by the page just before connecting.
ROOM_JOIN_TOKEN_SECONDS = env.int("ROOM_JOIN_TOKEN_SECONDS", default=120)
# The chat lines a (re)joining participant is sent, newest last.
ROOM_CHAT_HISTORY = env.int("ROOM_CHAT_HISTORY", default=50)
ROOM_CHAT_MAX_CHARS = env.int("ROOM_CHAT_MAX_CHARS", default=2000)
# A browser-made recording (peer-to-peer adapter) is uploaded once the recording stops.
ROOM_RECORDING_MAX_BYTES = env.int("ROOM_RECORDING_MAX_BYTES", default=1024 * 1024 * 1024)
