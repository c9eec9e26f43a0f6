"""The first pictures of a new project: a welcome card and a placeholder logo (deterministic)."""

from __future__ import annotations

import io


def welcome_image(name: str) -> bytes:
    """A first picture for the first post: a soft blue card with the brand's name."""
    from PIL import Image, ImageDraw, ImageFont

    w, h = 1600, 1000
    img = Image.linear_gradient("L").resize((w, h)).point(lambda v: 40 + v // 3)
    card = Image.merge("RGB", (img.point(lambda v: v // 2), img, img.point(lambda v: 90 + v)))
    draw = ImageDraw.Draw(card)
    try:
        font = ImageFont.truetype("DejaVuSans-Bold.ttf", 110)
    except OSError:
        font = ImageFont.load_default(size=110)
    draw.text(
        (w / 2, h / 2),
        f"Hello from\n{name}",
        font=font,
        fill=(255, 255, 255),
        anchor="mm",
        align="center",
    )
    out = io.BytesIO()
    card.save(out, format="PNG")
    return out.getvalue()


def logo(name: str) -> bytes:
    """A placeholder logo: the brand's initials on a coloured disc (replace it with yours)."""
    from PIL import Image, ImageDraw, ImageFont

    initials = "".join(w[0] for w in name.split()[:2]).upper() or "C"
    size = 1024
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.ellipse((32, 32, size - 32, size - 32), fill=(43, 76, 126, 255))
    try:
        font = ImageFont.truetype("DejaVuSans-Bold.ttf", 420)
    except OSError:
        font = ImageFont.load_default(size=420)
    draw.text((size / 2, size / 2), initials, font=font, fill=(255, 255, 255, 255), anchor="mm")
    img = img.resize((512, 512), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()
