"""Lesson videos made here, for the demo (devdata.demo_academy) and the browser test: slides
with captions as a WebM, written through PyAV (a dev dependency: FFmpeg in a wheel), so the
portal's player plays a real video with no network and no file in the repository."""

import io

import av
from PIL import Image, ImageDraw, ImageFont

FRAME_RATE = 4
WIDTH, HEIGHT = 640, 360


def _font(size: int) -> ImageFont.ImageFont:
    try:
        return ImageFont.truetype("DejaVuSans.ttf", size)
    except OSError:  # no TrueType font on the machine: Pillow's own (small) one
        return ImageFont.load_default(size)


def video_of(title: str, slides: list[tuple[int, str]], seconds: int) -> bytes:
    """A WebM of `seconds` seconds: the lesson's title, each slide's caption from its second,
    and a bar of time. Small (tens of kB) and made in about a second."""
    heading, caption = _font(26), _font(34)
    buffer = io.BytesIO()
    container = av.open(buffer, mode="w", format="webm")
    stream = container.add_stream("libvpx", rate=FRAME_RATE)
    stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
    for frame_number in range(seconds * FRAME_RATE):
        second = frame_number / FRAME_RATE
        text = next(text for start, text in reversed(slides) if start <= second)
        image = Image.new("RGB", (WIDTH, HEIGHT), (24, 24, 48))
        draw = ImageDraw.Draw(image)
        draw.text((32, 28), title, font=heading, fill=(255, 180, 200))
        draw.multiline_text((32, 140), _wrap(text, 30), font=caption, fill=(255, 255, 255))
        draw.rectangle((0, HEIGHT - 8, int(WIDTH * second / seconds), HEIGHT), fill=(225, 29, 72))
        for packet in stream.encode(av.VideoFrame.from_image(image)):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)
    container.close()
    return buffer.getvalue()


def _wrap(text: str, width: int) -> str:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines)
