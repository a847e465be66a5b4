"""A neutral placeholder for the lambang daerah of the demo: a plain drawn shield.

It is not the emblem of any real region (a real lambang is set by a Perda and
belongs to its region): it only shows where the administrator's upload appears
(letterhead, SOP identity page, PK, login page).
"""

import io
import math


def placeholder_png() -> bytes:
    """A shield with a star and two bands, drawn with Pillow, as PNG bytes."""
    from PIL import Image, ImageDraw

    width, height = 400, 480
    picture = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    draw = ImageDraw.Draw(picture)

    def shield(inset: int) -> list[tuple[float, float]]:
        left, right, top = 20 + inset, width - 20 - inset, 20 + inset
        shoulder, tip = height * 0.55, height - 20 - inset * 1.3
        points = [(left, top), (right, top), (right, shoulder)]
        # The lower edge: two arcs meeting in the point at the bottom.
        for step in range(1, 20):
            t = step / 20
            points.append(
                (
                    right - (right - width / 2) * t,
                    shoulder + (tip - shoulder) * math.sin(t * math.pi / 2),
                )
            )
        points.append((width / 2, tip))
        for step in range(19, 0, -1):
            t = step / 20
            points.append(
                (
                    left + (width / 2 - left) * t,
                    shoulder + (tip - shoulder) * math.sin(t * math.pi / 2),
                )
            )
        points.append((left, shoulder))
        return points

    draw.polygon(shield(0), fill=(38, 70, 112, 255))
    draw.polygon(shield(14), fill=(240, 244, 248, 255))
    draw.polygon(shield(26), fill=(60, 110, 160, 255))
    # Two bands across the shield, where its sides are still straight.
    for top in (218, 248):
        draw.rectangle((46, top, width - 46, top + 14), fill=(240, 244, 248, 255))
    # A five-pointed star above them.
    cx, cy, outer, inner = width / 2, 125, 72, 29
    star = []
    for k in range(10):
        radius = outer if k % 2 == 0 else inner
        angle = -math.pi / 2 + k * math.pi / 5
        star.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    draw.polygon(star, fill=(236, 190, 60, 255))
    picture = picture.crop(picture.getbbox())
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()
