"""WCAG 2 contrast ratios from the colours a browser computed."""

import re

# Normal-size text (WCAG 1.4.3, AA) and user-interface parts such as a focus
# ring (WCAG 1.4.11, AA).
AA_TEXT = 4.5
AA_NON_TEXT = 3.0


def parse_rgb(css_colour):
    """(r, g, b) from a computed colour such as "rgb(26, 26, 26)"; computed
    colours are always in this form in Chromium unless transparent."""
    match = re.fullmatch(r"rgba?\((\d+), (\d+), (\d+)(?:, ([\d.]+))?\)", css_colour.strip())
    if not match:
        raise ValueError(f"not an rgb() colour: {css_colour!r}")
    if match.group(4) is not None and float(match.group(4)) < 1:
        raise ValueError(f"a see-through colour has no contrast of its own: {css_colour!r}")
    return tuple(int(part) for part in match.group(1, 2, 3))


def relative_luminance(rgb):
    def linear(channel):
        channel /= 255
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(channel) for channel in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(foreground, background):
    lighter, darker = sorted(
        (relative_luminance(parse_rgb(foreground)), relative_luminance(parse_rgb(background))),
        reverse=True,
    )
    return (lighter + 0.05) / (darker + 0.05)
