"""Keep the JavaScript preloads of the prerendered pages from delaying their first paint.

React Router puts one `<link rel="modulepreload">` per chunk of the page in `<head>` (about
190 KB gzip on every page). Chrome fetches modulepreloads at high priority, alongside the HTML
and the style sheet, before anything is painted; Lighthouse counts every high-priority request
started before the first paint as blocking it. The text of every page is already in its HTML
(prerendered): the first paint needs the HTML and the style sheets, not the scripts.

`lower_modulepreloads(html)` marks each modulepreload link `fetchpriority="low"`: the chunks are
still announced at once (no waterfall through the imports when the page hydrates), but fetched
after what the first paint needs. `lower_page_preloads(static_dir)` does it to every built page;
it runs after Vite and before Reflex precompresses the output (`rxapp.build.plugin`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final

_MODULEPRELOAD: Final = re.compile(r"<link\b[^>]*\brel=\"modulepreload\"[^>]*>", re.IGNORECASE)
_FETCHPRIORITY: Final = re.compile(r"\sfetchpriority=\"[^\"]*\"", re.IGNORECASE)


def _low(link: str) -> str:
    without = _FETCHPRIORITY.sub("", link)
    end = len(without) - (2 if without.endswith("/>") else 1)
    return f'{without[:end].rstrip()} fetchpriority="low"{without[end:]}'


def lower_modulepreloads(html: str) -> str:
    """`html` with every `<link rel="modulepreload">` marked `fetchpriority="low"`, nothing else changed."""
    return _MODULEPRELOAD.sub(lambda match: _low(match.group(0)), html)


def lower_page_preloads(static_dir: Path) -> int:
    """Lower the modulepreloads of every `.html` file under `static_dir`; the number of files changed."""
    changed = 0
    for page in sorted(static_dir.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        lowered = lower_modulepreloads(html)
        if lowered != html:
            page.write_text(lowered, encoding="utf-8")
            changed += 1
    return changed
