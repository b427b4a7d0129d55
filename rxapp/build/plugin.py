"""The Reflex plugins that post-process every production build: `rxapp.build.purge` (the
style sheet) and `rxapp.build.preload` (the pages' script preloads).

Reflex installs its npm dev dependency (purgecss, pinned; locked in reflex.lock/) with
the frontend's packages, and calls `post_build` after Vite and before precompressing
the output: `reflex run --env prod` (`make run`, the tests, the bench) and
`reflex export` (the `export` role) both serve the purged style sheet.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import reflex as rx
from reflex_base.plugins.base import CommonContext, PostBuildContext
from reflex_components_radix.plugin import RadixThemesPlugin
from typing_extensions import Unpack

from rxapp.build.preload import drop_page_preloads
from rxapp.build.purge import PURGECSS_VERSION, purge_global_styles


class PurgeUnusedCss(rx.plugins.Plugin):
    """Drop the global style sheet's unused rules (Radix Themes) from the production build."""

    def __init__(self, *, theme_accent: str, theme_gray: str) -> None:
        """Args: theme_accent, theme_gray: the theme's colours, whose rules are always kept."""
        self.theme_accent = theme_accent
        self.theme_gray = theme_gray

    def get_frontend_development_dependencies(self, **context: Unpack[CommonContext]) -> list[str]:
        """purgecss, at the pinned version."""
        return [f"purgecss@{PURGECSS_VERSION}"]

    def post_build(self, **context: Unpack[PostBuildContext]) -> None:
        """Purge and rename the global style sheet in the built output."""
        from reflex.utils.prerequisites import get_web_dir

        before, after = purge_global_styles(
            context["static_dir"],
            web_dir=get_web_dir(),
            theme_accent=self.theme_accent,
            theme_gray=self.theme_gray,
        )
        print(f"Feuille de style globale : {before // 1024} Ko → {after // 1024} Ko (PurgeCSS).", flush=True)


class NoModulePreloads(rx.plugins.Plugin):
    """Built pages without their `<link rel="modulepreload">` tags (`rxapp.build.preload`).

    Listed after `PurgeUnusedCss`, whose renaming rewrites the pages first.
    """

    def post_build(self, **context: Unpack[PostBuildContext]) -> None:
        """Drop the modulepreload links of every built page (unless KEEP_MODULEPRELOADS, for the bench)."""
        from rxapp.settings import get_settings

        if get_settings().keep_modulepreloads:
            print("Préchargements de modules gardés (KEEP_MODULEPRELOADS).", flush=True)
            return
        changed = drop_page_preloads(context["static_dir"])
        print(f"Préchargements de modules retirés : {changed} pages.", flush=True)


@dataclasses.dataclass
class RadixThemesWithoutBundle(RadixThemesPlugin):
    """Radix Themes, imported by each page for the components it uses, never as a whole.

    Reflex's plugin lists `@radix-ui/themes` as a library bundled for dynamic components
    (`window.__reflex`), which `root.jsx` then imports whole: Vite cannot drop the unused
    components, every page preloads all of them, and their class names are in the bundles,
    so PurgeCSS keeps all their rules. No page of the app is a dynamic component. The
    package is still installed: the components' own imports name it.
    """

    def get_frontend_dependencies(self, **context: Any) -> tuple[str, ...]:
        """None to bundle."""
        return ()
