"""Screenshots of a simulated screen: the node tree drawn as boxes and labels with Pillow.

Good enough for a person reading a failed task's artifacts (which screen, which buttons); the
JPEG is what uiautomator2's ``takeScreenshot`` RPC returns base64-encoded, the PNG is
``screencap -p``.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from runner.sim.hierarchy import SCREEN_H, SCREEN_W, Node, walk

_BACKGROUNDS = {
    "com.zhiliaoapp.musically": (18, 18, 24),
    "com.android.chrome": (245, 245, 245),
}


def _render(root: Node, scale: float) -> Image.Image:
    w, h = max(1, int(SCREEN_W * scale)), max(1, int(SCREEN_H * scale))
    bg = _BACKGROUNDS.get(root.package, (40, 60, 90))
    img = Image.new("RGB", (w, h), bg)
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default()
    light = sum(bg) > 380
    fg = (20, 20, 20) if light else (235, 235, 235)
    for node in walk(root):
        if node is root:
            continue
        b = node.bounds
        box = (b.left * scale, b.top * scale, b.right * scale - 1, b.bottom * scale - 1)
        if node.clickable and (node.text or node.content_desc):
            draw.rectangle(box, outline=(254, 44, 85), width=2)
        label = node.text or node.content_desc
        if label and not node.children:
            safe = label.encode("latin-1", errors="replace").decode("latin-1")
            try:
                draw.text((box[0] + 4, box[1] + 4), safe, fill=fg, font=font)
            except (UnicodeError, ValueError):  # pragma: no cover - font without the glyphs
                pass
    return img


def render_jpeg(root: Node, scale: float = 1.0, quality: int = 80) -> bytes:
    """JPEG bytes of the screen at ``scale`` (0 < scale <= 1)."""
    scale = min(max(float(scale or 1.0), 0.05), 1.0)
    out = io.BytesIO()
    _render(root, scale).save(out, "JPEG", quality=max(1, min(int(quality or 80), 100)))
    return out.getvalue()


def render_png(root: Node) -> bytes:
    """PNG bytes of the screen at full size."""
    out = io.BytesIO()
    _render(root, 1.0).save(out, "PNG")
    return out.getvalue()
