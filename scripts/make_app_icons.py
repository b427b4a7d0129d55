"""Draw the installable app's icons (assets/icons/*.png) with Pillow.

Run again after changing the drawing: `.venv/bin/python scripts/make_app_icons.py`.
The logo stays within the middle 60 % of the square, so that the icons can be
cropped to a circle (maskable icons).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

BRAND_BLUE = (12, 65, 154)
WHITE = (255, 255, 255)
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
ICONS = Path(__file__).resolve().parent.parent / "assets" / "icons"
SIZES = {"icon-192.png": 192, "icon-512.png": 512, "apple-touch-icon.png": 180}


def draw(size: int) -> Image.Image:
    """A blue square with a white ring and a white "a" (ameli) in the middle."""
    scale = 4  # drawn large, then reduced: smooth edges
    big = size * scale
    image = Image.new("RGB", (big, big), BRAND_BLUE)
    pen = ImageDraw.Draw(image)
    margin = big * 0.2
    pen.ellipse((margin, margin, big - margin, big - margin), outline=WHITE, width=int(big * 0.045))
    font = ImageFont.truetype(FONT, int(big * 0.42))
    pen.text((big / 2, big / 2), "a", font=font, fill=WHITE, anchor="mm")
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    for name, size in SIZES.items():
        draw(size).save(ICONS / name, optimize=True)


if __name__ == "__main__":
    main()
