"""Client documents: the cost of envelope encryption on a 10 MB file, measured side by side
with writing and reading the same bytes unencrypted through the same private storage
(a local folder here). The median of ROUNDS runs each; the ratio is what to watch.

- write: plain bytes in 64 KiB chunks vs a data key from the key service (local adapter)
  plus AES-256-GCM frames, through the same spool and storage.save;
- read: plain chunks vs one decrypting pass, and vs a download (every frame verified in a
  first pass, then streamed decrypted in a second, as the checked views do)."""

import os
import statistics
import tempfile
import time
from collections.abc import Callable

from django.conf import settings
from django.test.utils import override_settings

from filestore import private_storage, private_storage_reset
from integrations.kms import get_kms
from marketplace.clients.documents import blobs, crypto

SIZE = 10 * 1024 * 1024
CHUNK = 64 * 1024
ROUNDS = 7
CONTEXT = {"purpose": "client_document", "record": "0", "object": "bench"}


def _best(work: Callable[[int], None]) -> float:
    """The median of ROUNDS runs: single runs alternate between fast and slow as the
    allocator hands 64 KiB frames back and forth, so the best run flatters."""
    times = []
    for round_number in range(ROUNDS):
        started = time.perf_counter()
        work(round_number)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _chunks(data: bytes):
    for offset in range(0, len(data), CHUNK):
        yield data[offset : offset + CHUNK]


def _drain(name: str) -> int:
    total = 0
    with blobs.blob_reader(name) as read:
        while piece := read(CHUNK):
            total += len(piece)
    return total


def run() -> str:
    data = os.urandom(SIZE)
    with (
        tempfile.TemporaryDirectory() as folder,
        override_settings(
            PRIVATE_MEDIA_ROOT=folder,
            PRIVATE_STORAGE={"BACKEND": "filestore.PrivateFileSystemStorage"},
        ),
    ):
        private_storage_reset()
        get_kms.cache_clear()
        storage = private_storage()
        kms = get_kms()
        keys: dict[int, bytes] = {}

        def write_plain(n: int) -> None:
            blobs.blob_write(f"{blobs.PREFIX}plain-{n}", _chunks(data))

        def write_encrypted(n: int) -> None:
            data_key = kms.generate_data_key(context=CONTEXT)
            keys[n] = data_key.plaintext
            blobs.blob_write(
                f"{blobs.PREFIX}sealed-{n}",
                crypto.encrypt_chunks(data_key.plaintext, _chunks(data)),
            )

        write_plain_s = _best(write_plain)
        write_encrypted_s = _best(write_encrypted)

        def read_plain(n: int) -> None:
            assert _drain(f"{blobs.PREFIX}plain-{n}") == SIZE

        def decrypt_once(n: int) -> None:
            with blobs.blob_reader(f"{blobs.PREFIX}sealed-{n}") as read:
                assert sum(len(piece) for piece in crypto.decrypt_stream(keys[n], read)) == SIZE

        def download(n: int) -> None:
            decrypt_once(n)  # the verifying pass
            decrypt_once(n)  # the streamed pass

        read_plain_s = _best(read_plain)
        decrypt_once_s = _best(decrypt_once)
        download_s = _best(download)
        for name in storage.listdir(blobs.PREFIX.rstrip("/"))[1]:
            storage.delete(f"{blobs.PREFIX}{name}")
        private_storage_reset()
        get_kms.cache_clear()

    megabytes = SIZE / 1024 / 1024

    def rate(seconds: float) -> str:
        return f"{megabytes / seconds:,.0f} MB/s ({seconds * 1000:,.0f} ms)"

    def line(label: str, seconds: float, baseline: float | None = None) -> str:
        text = f"  {label:<28} {rate(seconds)}"
        return text + (f"  {seconds / baseline:.2f}x the plain time" if baseline else "")

    overhead = crypto.ciphertext_size(SIZE) - SIZE
    return "\n".join(
        [
            f"Client documents, {megabytes:.0f} MiB, median of {ROUNDS} "
            f"(KMS_GATEWAY={settings.KMS_GATEWAY.rsplit('.', 1)[-1]}):",
            line("write plain", write_plain_s),
            line("write encrypted", write_encrypted_s, write_plain_s),
            line("read plain", read_plain_s),
            line("decrypt, one pass", decrypt_once_s, read_plain_s),
            line("download (verify + stream)", download_s, read_plain_s),
            f"  ciphertext overhead {overhead:,} bytes ({overhead / SIZE:.3%})",
        ]
    )
