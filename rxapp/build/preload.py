"""Keep the JavaScript preloads of the prerendered pages from delaying their first paint.

React Router puts one `<link rel="modulepreload">` per chunk of the page in `<head>` (about
190 KB gzip on every page). Chrome fetches them at high priority, alongside the HTML and the
style sheet, before anything is painted, and Lighthouse counts every high-priority request
started before the first paint as delaying it. The text of every page is already in its HTML
(prerendered): the first paint needs the HTML and the style sheets, not the scripts.

`drop_modulepreloads(html)` removes those links. Nothing else changes: the page's module script
(end of <body>) imports the same chunks, which the browser then fetches as it discovers them.
`drop_page_preloads(static_dir)` does it to every built page; it runs after Vite and before
Reflex precompresses the output (`rxapp.build.plugin`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final

_MODULEPRELOAD: Final = re.compile(r"<link\b[^>]*\brel=\"modulepreload\"[^>]*>", re.IGNORECASE)


def drop_modulepreloads(html: str) -> str:
    """`html` without its `<link rel="modulepreload">` tags, nothing else changed."""
    return _MODULEPRELOAD.sub("", html)


def drop_page_preloads(static_dir: Path) -> int:
    """Drop the modulepreloads of every `.html` file under `static_dir`; the number of files changed."""
    changed = 0
    for page in sorted(static_dir.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        dropped = drop_modulepreloads(html)
        if dropped != html:
            page.write_text(dropped, encoding="utf-8")
            changed += 1
    return changed
