"""What the export changes in a prerendered page's <head>: only the modulepreloads' priority."""

from __future__ import annotations

from pathlib import Path

from rxapp.build.preload import lower_modulepreloads, lower_page_preloads

# The head of a page as React Router prerenders it (trimmed).
HEAD = (
    '<head><link rel="preload" as="style" href="/assets/__reflex_global_styles-6db0f3fc.css"/>'
    '<link rel="modulepreload" href="/assets/manifest-5e9e473e.js"/>'
    '<link rel="modulepreload" href="/assets/entry.client-CS7job2t.js"/>'
    '<link href="/assets/__reflex_global_styles-6db0f3fc.css" rel="stylesheet" type="text/css"/>'
    '<script type="module" async="">import "/assets/manifest-5e9e473e.js";</script></head>'
)


def test_every_modulepreload_is_kept_and_marked_low_priority() -> None:
    lowered = lower_modulepreloads(HEAD)
    assert lowered.count('rel="modulepreload"') == 2
    assert '<link rel="modulepreload" href="/assets/manifest-5e9e473e.js" fetchpriority="low"/>' in lowered
    assert (
        '<link rel="modulepreload" href="/assets/entry.client-CS7job2t.js" fetchpriority="low"/>' in lowered
    )


def test_the_style_sheet_and_the_scripts_are_left_as_they_are() -> None:
    lowered = lower_modulepreloads(HEAD)
    assert lowered.replace(' fetchpriority="low"', "") == HEAD
    assert lowered.count("fetchpriority") == 2  # not on the style sheet's preload nor its link


def test_a_priority_already_set_is_replaced_and_a_second_pass_changes_nothing() -> None:
    html = '<link fetchpriority="high" rel="modulepreload" href="/assets/a.js">'
    lowered = lower_modulepreloads(html)
    assert lowered == '<link rel="modulepreload" href="/assets/a.js" fetchpriority="low">'
    assert lower_modulepreloads(lowered) == lowered


def test_every_page_of_the_build_is_rewritten(tmp_path: Path) -> None:
    (tmp_path / "vos-informations").mkdir()
    (tmp_path / "index.html").write_text(HEAD)
    (tmp_path / "vos-informations" / "index.html").write_text(HEAD)
    (tmp_path / "offline.html").write_text("<head></head>")
    (tmp_path / "app.js").write_text('"<link rel=\\"modulepreload\\">"')

    assert lower_page_preloads(tmp_path) == 2
    assert 'fetchpriority="low"' in (tmp_path / "vos-informations" / "index.html").read_text()
    assert (tmp_path / "offline.html").read_text() == "<head></head>"
    assert "fetchpriority" not in (tmp_path / "app.js").read_text()
