"""How this project starts Chromium: Debian's own build, never one that
Playwright downloads. Shared by the browser tests and scripts/screenshots.py."""

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
# Flags for a headless root session on a machine with no outside network:
# without the background-networking ones Chromium keeps dialling out.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
# An ordinary modern phone, held upright.
PHONE = {"width": 390, "height": 844}
PHONE_OPTIONS = {"viewport": PHONE, "is_mobile": True, "has_touch": True, "device_scale_factor": 1}


def launch(playwright):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
