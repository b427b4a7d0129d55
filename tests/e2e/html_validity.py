"""RGAA 8.2: the generated code of a page is valid HTML.

The pages are validated as the browser has them after hydration (`page.content()`), with
html-validate (npm, pinned with its lock in tests/html_validate/, installed there by
`make test` and `make e2e`, or here when missing), by the venv's Node.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

from rxapp.build.purge import node_binary
from rxapp.settings import VAR_DIR

VALIDATOR_DIR = Path(__file__).parents[1] / "html_validate"
RUNNER = VALIDATOR_DIR / "validate.mjs"
# The HTML of each page that fails, kept to read the errors' context.
INVALID_PAGES = VAR_DIR / "e2e" / "invalid-html"


def install_validator() -> None:
    """`npm ci` in tests/html_validate when its node_modules are missing (the Makefile does it first)."""
    if (VALIDATOR_DIR / "node_modules" / "html-validate").is_dir():
        return
    npm = Path(node_binary()).with_name("npm")
    subprocess.run(
        [str(npm) if npm.exists() else "npm", "ci", "--no-audit", "--no-fund"], cwd=VALIDATOR_DIR, check=True
    )


def html_problems(pages: dict[str, str]) -> dict[str, list[str]]:
    """The validity errors of each page, by page name: "rule: message (where)".

    Args:
        pages: page name -> its HTML, doctype included.
    """
    install_validator()
    with tempfile.NamedTemporaryFile("w", suffix=".json", prefix="html-validate-", encoding="utf-8") as file:
        json.dump([{"name": name, "html": html} for name, html in pages.items()], file)
        file.flush()
        done = subprocess.run(
            [node_binary(), str(RUNNER), file.name],
            cwd=VALIDATOR_DIR,
            capture_output=True,
            text=True,
            timeout=120,
        )
    if done.returncode != 0:
        raise RuntimeError(f"html-validate a échoué : {done.stderr.strip()}")
    found = json.loads(done.stdout)
    for name, errors in found.items():
        if errors:
            INVALID_PAGES.mkdir(parents=True, exist_ok=True)
            (INVALID_PAGES / f"{name}.html").write_text(pages[name], encoding="utf-8")
    return {
        name: [
            f"{error['rule']}: {error['message']} ({error['selector'] or 'ligne ' + str(error['line'])})"
            for error in errors
        ]
        for name, errors in found.items()
    }
