"""The framed AES-GCM stream: round trips at frame edges, and every kind of tampering
(a flipped byte, frames swapped, dropped or cut off, another key) is refused before any
of the affected plaintext is handed out."""

import io
import os

import pytest

from marketplace.clients.documents.crypto import (
    FRAME_BYTES,
    HEADER_BYTES,
    NONCE_BYTES,
    TAG_BYTES,
    DocumentIntegrityError,
    ciphertext_size,
    decrypt_stream,
    encrypt_chunks,
)

KEY = os.urandom(32)
SEALED = NONCE_BYTES + FRAME_BYTES + TAG_BYTES


def encrypt(data: bytes, key: bytes = KEY) -> bytes:
    return b"".join(
        encrypt_chunks(key, [data[i : i + 10_000] for i in range(0, len(data), 10_000)])
    )


def decrypt(blob: bytes, key: bytes = KEY) -> bytes:
    return b"".join(decrypt_stream(key, io.BytesIO(blob).read))


def frames(blob: bytes) -> tuple[bytes, list[bytes]]:
    body = blob[HEADER_BYTES:]
    return blob[:HEADER_BYTES], [body[i : i + SEALED] for i in range(0, len(body), SEALED)]


@pytest.mark.parametrize(
    "size", [0, 1, FRAME_BYTES - 1, FRAME_BYTES, FRAME_BYTES + 1, 3 * FRAME_BYTES]
)
def test_round_trip_at_frame_edges(size):
    data = os.urandom(size)
    blob = encrypt(data)
    assert len(blob) == ciphertext_size(size)
    assert decrypt(blob) == data


def test_the_ciphertext_does_not_contain_the_plaintext():
    data = b"CANARY-plaintext-" * 10_000
    assert b"CANARY" not in encrypt(data)


def test_a_flipped_byte_is_refused():
    blob = bytearray(encrypt(os.urandom(2 * FRAME_BYTES + 10)))
    blob[HEADER_BYTES + SEALED + 100] ^= 0x01
    with pytest.raises(DocumentIntegrityError):
        decrypt(bytes(blob))


def test_reordered_frames_are_refused_and_nothing_past_the_swap_is_released():
    data = os.urandom(3 * FRAME_BYTES + 5)
    head, parts = frames(encrypt(data))
    swapped = head + parts[0] + parts[2] + parts[1] + parts[3]
    released = []
    with pytest.raises(DocumentIntegrityError):
        for chunk in decrypt_stream(KEY, io.BytesIO(swapped).read):
            released.append(chunk)
    assert b"".join(released) == data[:FRAME_BYTES]


def test_a_file_cut_at_a_frame_boundary_is_refused():
    head, parts = frames(encrypt(os.urandom(3 * FRAME_BYTES + 5)))
    with pytest.raises(DocumentIntegrityError):
        decrypt(head + b"".join(parts[:-1]))


def test_a_duplicated_frame_is_refused():
    head, parts = frames(encrypt(os.urandom(2 * FRAME_BYTES + 5)))
    with pytest.raises(DocumentIntegrityError):
        decrypt(head + parts[0] + parts[0] + parts[1] + parts[2])


def test_another_key_is_refused():
    with pytest.raises(DocumentIntegrityError):
        decrypt(encrypt(b"hello"), key=os.urandom(32))


@pytest.mark.parametrize("blob", [b"", b"AEYD", b"XXXX\x01\x00\x01\x00\x00" + b"\x00" * 40])
def test_garbage_is_refused(blob):
    with pytest.raises(DocumentIntegrityError):
        decrypt(blob)
