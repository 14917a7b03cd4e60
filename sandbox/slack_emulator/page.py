"""The demo page: one HTML document with its CSS and JS inlined, read from static/ per request."""

from __future__ import annotations

from pathlib import Path

STATIC_DIR = Path(__file__).parent / "static"
CSS_SLOT = "/*__PAGE_CSS__*/"
JS_SLOT = "/*__PAGE_JS__*/"


def load_page(static_dir: Path = STATIC_DIR) -> str:
    """Read at request time so edits to static/ show on reload; nothing external is referenced."""
    page = (static_dir / "page.html").read_text(encoding="utf-8")
    css = (static_dir / "page.css").read_text(encoding="utf-8")
    js = (static_dir / "page.js").read_text(encoding="utf-8")
    return page.replace(CSS_SLOT, css).replace(JS_SLOT, js)
