"""Draws the installable app's icons from the brand mark (static/img/favicon.svg: the
teal tile, the sand ring and the two leaves) into static/icons/. Run again after the mark
changes; the PNGs are committed, so nothing is drawn at deploy time."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from PIL import Image, ImageDraw

TEAL = (23, 80, 77, 255)  # --color-teal-800
SAND = (243, 235, 221, 255)  # --color-sand-100
CLAY = (231, 180, 143, 255)
SAGE = (185, 216, 211, 255)
WHITE = (255, 255, 255, 255)
# Drawn this many times larger, then reduced: Pillow draws without anti-aliasing.
SUPERSAMPLE = 4

# The mark's leaves in its 64-unit grid (cubic Bézier segments of the SVG paths).
RIGHT_LEAF = (((32, 47), (32, 37), (37, 29), (46, 26)), ((46, 26), (45, 36), (40, 44), (32, 47)))
LEFT_LEAF = (((32, 47), (32, 37), (27, 29), (18, 26)), ((18, 26), (19, 36), (24, 44), (32, 47)))


def _bezier(segment, steps: int = 48) -> list[tuple[float, float]]:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = segment
    points = []
    for index in range(steps + 1):
        t = index / steps
        u = 1 - t
        points.append(
            (
                u**3 * x0 + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t**3 * x3,
                u**3 * y0 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t**3 * y3,
            )
        )
    return points


def _mark(draw: ImageDraw.ImageDraw, *, origin: float, scale: float, ring, right, left) -> None:
    """Draws the ring and leaves with the 64-unit grid mapped to origin + unit * scale."""

    def at(x: float, y: float) -> tuple[float, float]:
        return (origin + x * scale, origin + y * scale)

    outer, inner = 17 + 2, 17 - 2  # the ring: radius 17, stroke 4
    draw.ellipse([at(32 - outer, 32 - outer), at(32 + outer, 32 + outer)], fill=ring)
    draw.ellipse([at(32 - inner, 32 - inner), at(32 + inner, 32 + inner)], fill=(0, 0, 0, 0))
    for leaf, colour in ((RIGHT_LEAF, right), (LEFT_LEAF, left)):
        points = [at(x, y) for segment in leaf for x, y in _bezier(segment)]
        draw.polygon(points, fill=colour)


def draw_icon(size: int, *, kind: str) -> Image.Image:
    """kind: "any" (the rounded tile on transparency), "maskable" (full bleed, the mark
    inside the 80 % safe circle), "apple" (full bleed, opaque: iOS rounds it), "badge"
    (white silhouette on transparency: Android shows a badge's alpha only)."""
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if kind == "badge":
        _mark(draw, origin=-big * 0.1, scale=big * 1.2 / 64, ring=WHITE, right=WHITE, left=WHITE)
        # The ring's hole was cleared to transparent; the leaves sit inside it.
        return image.resize((size, size), Image.Resampling.LANCZOS)
    if kind == "any":
        draw.rounded_rectangle([0, 0, big - 1, big - 1], radius=big * 16 / 64, fill=TEAL)
        scale, origin = big / 64, 0.0
    else:
        draw.rectangle([0, 0, big, big], fill=TEAL)
        # The maskable safe zone is the centre circle of 80 % diameter; the ring (radius
        # 19 of 64) is scaled to fill about 70 % of the width.
        scale = big * (0.7 if kind == "maskable" else 0.85) / 38
        origin = big / 2 - 32 * scale
    layer = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    _mark(ImageDraw.Draw(layer), origin=origin, scale=scale, ring=SAND, right=CLAY, left=SAGE)
    image.alpha_composite(layer)
    image = image.resize((size, size), Image.Resampling.LANCZOS)
    if kind == "apple":
        image = image.convert("RGB")
    return image


ICONS = {
    "icon-192.png": (192, "any"),
    "icon-512.png": (512, "any"),
    "icon-maskable-192.png": (192, "maskable"),
    "icon-maskable-512.png": (512, "maskable"),
    "apple-touch-icon.png": (180, "apple"),
    "badge-96.png": (96, "badge"),
}


class Command(BaseCommand):
    help = "Draws the app icons (manifest, iOS home screen, notification badge) into static/icons/."

    def handle(self, *args, **options) -> None:
        folder = Path(settings.BASE_DIR) / "static" / "icons"
        folder.mkdir(parents=True, exist_ok=True)
        for name, (size, kind) in ICONS.items():
            draw_icon(size, kind=kind).save(folder / name, optimize=True)
            self.stdout.write(f"static/icons/{name} ({size}×{size}, {kind})")
