"""What the build keeps of the global style sheet, read from bundles written as Vite writes them."""

from __future__ import annotations

from pathlib import Path

import pytest

from rxapp.build.css_usage import expression_after, literals, runtime_usage
from rxapp.build.purge import PurgeError, content_name, rename_changed

# A Radix Themes prop definition, and a page passing values to it, as minified by Vite.
LIBRARY = (
    "var P={size:{type:`enum`,className:`rt-r-size`,values:[`1`,`2`,`3`,`4`],default:`2`,responsive:!0},"
    "variant:{type:`enum`,className:`rt-variant`,values:Lv,default:`soft`},"
    "justify:{type:`enum`,className:`rt-r-jc`,values:[`start`,`between`],responsive:!0},"
    "m:{type:`enum | string`,values:rv,responsive:!0,className:`rt-r-m`,customProperties:[`--m`]}};"
)
PAGE = (
    "jsx(Badge,{color:r.status===`late`?`amber`:`blue`,variant:`solid`,size:{initial:`1`,sm:`3`}}),"
    "jsx(Flex,{justify:`between`,m:`-2`}),jsx(Button,{accentColor:`red`})"
)


def _usage():
    return runtime_usage([LIBRARY, PAGE], theme_accent="indigo", theme_gray="slate")


def test_a_class_built_from_a_passed_value_or_a_default_is_kept() -> None:
    kept = _usage().safelist
    assert {"rt-r-size-1", "rt-r-size-2", "rt-r-size-3", "rt-variant-solid", "rt-variant-soft"} <= kept
    assert "rt-r-jc-space-between" in kept  # Radix's parseValue: between -> space-between
    assert "-rt-r-m-2" in kept  # a negative value puts its minus first
    assert "rt-r-size-4" not in kept  # a value nobody passes


def test_only_a_responsive_value_gives_breakpoint_classes_for_its_own_breakpoints() -> None:
    kept = _usage().safelist
    assert {"sm:rt-r-size-1", "sm:rt-r-size-3"} <= kept
    assert "md:rt-r-size-3" not in kept
    assert not any(name.startswith("sm:rt-variant") for name in kept)


def test_the_colours_named_by_code_theme_or_condition_stay_the_others_go() -> None:
    unused = _usage().unused_colours
    assert not {"amber", "blue", "red", "indigo", "slate"} & unused
    assert {"tomato", "grass", "sand", "mauve"} <= unused
    assert "gray" not in unused


def test_an_expression_ends_at_its_top_level_separator_not_inside_strings_or_calls() -> None:
    script = "size:f(a,`x,y`),next:1"
    assert expression_after(script, 5) == "f(a,`x,y`)"
    assert literals('a?`amber`:"blue"') == {"amber", "blue"}


def test_a_changed_sheet_and_the_bundles_naming_it_get_new_names(tmp_path: Path) -> None:
    assets = tmp_path / "assets"
    assets.mkdir()
    sheet = assets / "__reflex_global_styles-AAAAAAAA.css"
    sheet.write_text(".a{}")
    root = assets / "root-BBBBBBBB.js"
    root.write_text('const X="/assets/__reflex_global_styles-AAAAAAAA.css"')
    manifest = assets / "manifest-12345678.js"
    manifest.write_text('{"url":"/assets/manifest-12345678.js","root":"/assets/root-BBBBBBBB.js"}')
    page = tmp_path / "index.html"
    page.write_text(
        '<link href="/assets/__reflex_global_styles-AAAAAAAA.css"/>'
        '<link href="/assets/manifest-12345678.js"/><link href="/assets/root-BBBBBBBB.js"/>'
    )
    untouched = assets / "other-CCCCCCCC.js"
    untouched.write_text("1")

    rename_changed(tmp_path, [sheet])

    names = {path.name for path in assets.iterdir()}
    assert "other-CCCCCCCC.js" in names
    assert not {sheet.name, root.name, manifest.name} & names
    html = page.read_text()
    for stem in ("__reflex_global_styles-", "root-", "manifest-"):
        (new,) = [name for name in names if name.startswith(stem)]
        assert f"/assets/{new}" in html
    (new_manifest,) = [path for path in assets.iterdir() if path.name.startswith("manifest-")]
    assert f'"url":"/assets/{new_manifest.name}"' in new_manifest.read_text()


def test_a_name_without_vite_hash_is_refused() -> None:
    with pytest.raises(PurgeError):
        content_name(Path("styles.css"), "")


def test_a_standalone_control_no_page_imports_loses_its_class_names() -> None:
    sources = ['import {Flex as RadixThemesFlex,CheckboxCards} from "@radix-ui/themes"']
    usage = runtime_usage([LIBRARY, PAGE], theme_accent="indigo", theme_gray="slate", sources=sources)
    assert {"rt-Switch", "rt-Slider"} <= usage.unused_prefixes
    assert "rt-BaseCheckbox" not in usage.unused_prefixes  # CheckboxCards renders it
    assert not _usage().unused_prefixes  # without the compiled pages, every family stays
