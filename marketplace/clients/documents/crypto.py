"""Streaming authenticated encryption of a document with its data key (decision 0032).

Format (version 1): a 9-byte header — b"AEYD", the version byte, the plaintext frame size
(4 bytes, big-endian) — then frames. Each frame is a fresh 12-byte random nonce followed by
AES-256-GCM of up to `frame size` plaintext bytes and its 16-byte tag. The associated data
of every frame is the header, the frame's index (8 bytes) and a final-frame flag, so frames
cannot be reordered, duplicated, dropped or cut off without a tag failing: the last frame
is the only one sealed as final, and a stream that ends without it is refused.

Every frame is authenticated before its plaintext is handed out, and only one frame is held
in memory at a time, so a file of any size streams in and out in constant memory."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"AEYD"
VERSION = 1
FRAME_BYTES = 64 * 1024
NONCE_BYTES = 12
TAG_BYTES = 16
HEADER_BYTES = len(MAGIC) + 1 + 4
SCHEME = "aes256gcm-frames-v1"


class DocumentIntegrityError(Exception):
    """The stored ciphertext is not what was written: altered, reordered, truncated, or
    opened with the wrong key."""


def header(frame_bytes: int = FRAME_BYTES) -> bytes:
    return MAGIC + bytes([VERSION]) + frame_bytes.to_bytes(4, "big")


def _aad(head: bytes, index: int, final: bool) -> bytes:
    return head + index.to_bytes(8, "big") + (b"\x01" if final else b"\x00")


def ciphertext_size(plaintext_size: int, frame_bytes: int = FRAME_BYTES) -> int:
    frames = max(1, -(-plaintext_size // frame_bytes))
    return HEADER_BYTES + plaintext_size + frames * (NONCE_BYTES + TAG_BYTES)


def encrypt_chunks(
    key: bytes, chunks: Iterable[bytes], *, frame_bytes: int = FRAME_BYTES
) -> Iterator[bytes]:
    """The encrypted stream of the plaintext `chunks` (any sizes), header first, one
    frame at a time. An empty input gives one empty final frame."""
    aead = AESGCM(key)
    head = header(frame_bytes)
    yield head
    buffer = bytearray()
    index = 0
    for chunk in chunks:
        buffer += chunk
        # Keep at least one byte back: only the last frame may be sealed as final.
        while len(buffer) > frame_bytes:
            yield _seal(aead, head, index, bytes(buffer[:frame_bytes]), final=False)
            del buffer[:frame_bytes]
            index += 1
    yield _seal(aead, head, index, bytes(buffer), final=True)


def _seal(aead: AESGCM, head: bytes, index: int, plaintext: bytes, *, final: bool) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + aead.encrypt(nonce, plaintext, _aad(head, index, final))


def _read_exact(read: Callable[[int], bytes], size: int) -> bytes:
    """Up to `size` bytes, fewer only at the end of the stream (streams may return short
    reads, S3 bodies do)."""
    parts: list[bytes] = []
    remaining = size
    while remaining:
        piece = read(remaining)
        if not piece:
            break
        parts.append(piece)
        remaining -= len(piece)
    return b"".join(parts)


def decrypt_stream(key: bytes, read: Callable[[int], bytes]) -> Iterator[bytes]:
    """The plaintext of an encrypted stream read with `read(n)`, one authenticated frame at
    a time. Raises DocumentIntegrityError at the first frame that fails, before handing
    out any of its bytes."""
    head = _read_exact(read, HEADER_BYTES)
    if len(head) != HEADER_BYTES or not head.startswith(MAGIC) or head[4] != VERSION:
        raise DocumentIntegrityError("The stored document has no valid header.")
    frame_bytes = int.from_bytes(head[5:9], "big")
    if not 0 < frame_bytes <= 16 * 1024 * 1024:
        raise DocumentIntegrityError("The stored document has an invalid frame size.")
    aead = AESGCM(key)
    sealed_size = NONCE_BYTES + frame_bytes + TAG_BYTES
    current = _read_exact(read, sealed_size)
    index = 0
    while True:
        if len(current) < NONCE_BYTES + TAG_BYTES:
            raise DocumentIntegrityError("The stored document is truncated.")
        following = _read_exact(read, sealed_size) if len(current) == sealed_size else b""
        final = not following
        try:
            plaintext = aead.decrypt(
                current[:NONCE_BYTES], current[NONCE_BYTES:], _aad(head, index, final)
            )
        except InvalidTag as error:
            raise DocumentIntegrityError(
                f"Frame {index} of the stored document failed its integrity check."
            ) from error
        if plaintext:
            yield plaintext
        if final:
            return
        current = following
        index += 1
