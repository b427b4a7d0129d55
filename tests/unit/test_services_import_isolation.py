"""The business rules in `rxapp.services` import neither reflex nor celery."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from rxapp.settings import PROJECT_ROOT

_SCRIPT = """
import importlib, json, pkgutil, sys
import rxapp.services as services
names = [m.name for m in pkgutil.walk_packages(services.__path__, services.__name__ + ".")]
for name in names:
    importlib.import_module(name)
loaded = sorted(
    key for key in sys.modules
    if key.startswith(("reflex", "celery"))
)
print(json.dumps({"imported": names, "loaded": loaded}))
"""


def test_services_import_neither_reflex_nor_celery() -> None:
    """Import every module of rxapp.services in a fresh interpreter and list what came along."""
    completed = subprocess.run(
        [sys.executable, "-c", _SCRIPT],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout.strip().splitlines()[-1])

    # Every module file of the package and its subpackages was imported, so the check covers them all.
    root = Path(PROJECT_ROOT) / "rxapp"
    on_disk = {
        "rxapp." + ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
        for path in (root / "services").rglob("*.py")
    } - {"rxapp.services"}
    assert set(report["imported"]) == on_disk
    assert {"rxapp.services.nir", "rxapp.services.demo", "rxapp.services.medialog.actions"} <= on_disk

    assert report["loaded"] == []
