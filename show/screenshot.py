"""PNG screenshots of a page written by ``hatif show``, taken in headless Chromium.

``make docs/show_seed.png`` calls ``screenshot`` for the README's picture.
"""

from __future__ import annotations

import json
from pathlib import Path

from .browser import Browser, BrowserError

READY = "document.body && document.body.getAttribute('data-layout') === 'done'"


def screenshot(page: str | Path, png: str | Path, width: int = 1100, selector: str | None = None,
               max_height: int | None = None) -> Path:
    """Write a PNG of ``page`` laid out ``width`` pixels wide.

    With ``selector`` (CSS, e.g. ``#a0``), only the first element it matches; else the whole
    page. ``max_height`` cuts the picture at that many pixels. Raises BrowserError.
    """
    with Browser(width=width, height=900) as browser:
        browser.open(page, ready=READY)
        if selector:
            box = browser.evaluate(
                f"(function () {{ var e = document.querySelector({json.dumps(selector)}); if (!e) return null;"
                " var r = e.getBoundingClientRect();"
                " return {x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height}; })()")
            if box is None:
                raise BrowserError(f"{page}: nothing matches {selector}")
            pad = 8
            clip = {"x": max(0, box["x"] - pad), "y": max(0, box["y"] - pad),
                    "width": box["width"] + 2 * pad, "height": box["height"] + 2 * pad}
        else:
            size = browser.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
            clip = {"x": 0, "y": 0, "width": size[0], "height": size[1]}
        if max_height:
            clip["height"] = min(clip["height"], max_height)
        return browser.screenshot(png, clip=clip)

