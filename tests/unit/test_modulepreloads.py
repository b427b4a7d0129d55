"""What the export changes in a prerendered page: its modulepreload links go, nothing else."""

from __future__ import annotations

from pathlib import Path

from rxapp.build.preload import drop_modulepreloads, drop_page_preloads

# The head and the end of a page as React Router prerenders it (trimmed).
PAGE = (
    '<head><link rel="preload" as="style" href="/assets/__reflex_global_styles-6db0f3fc.css"/>'
    '<link rel="modulepreload" href="/assets/manifest-5e9e473e.js"/>'
    '<link rel="modulepreload" href="/assets/entry.client-CS7job2t.js"/>'
    '<link href="/assets/__reflex_global_styles-6db0f3fc.css" rel="stylesheet" type="text/css"/></head>'
    '<body><h1>J\'accède à mon compte ameli</h1><script type="module" async="">'
    'import "/assets/manifest-5e9e473e.js";\nimport("/assets/entry.client-CS7job2t.js");</script></body>'
)
WITHOUT = (
    '<head><link rel="preload" as="style" href="/assets/__reflex_global_styles-6db0f3fc.css"/>'
    '<link href="/assets/__reflex_global_styles-6db0f3fc.css" rel="stylesheet" type="text/css"/></head>'
    '<body><h1>J\'accède à mon compte ameli</h1><script type="module" async="">'
    'import "/assets/manifest-5e9e473e.js";\nimport("/assets/entry.client-CS7job2t.js");</script></body>'
)


def test_the_modulepreload_links_go() -> None:
    assert "modulepreload" not in drop_modulepreloads(PAGE)


def test_the_style_sheet_the_content_and_the_module_script_stay() -> None:
    # The module script still imports the chunks: the page hydrates as before.
    assert drop_modulepreloads(PAGE) == WITHOUT
    assert drop_modulepreloads(WITHOUT) == WITHOUT


def test_any_spelling_of_the_link_goes() -> None:
    html = '<p>a</p><link crossorigin="" rel="modulepreload" href="/assets/a.js"><p>b</p>'
    assert drop_modulepreloads(html) == "<p>a</p><p>b</p>"
    assert drop_modulepreloads('<link rel="preload" as="script" href="/a.js">') == (
        '<link rel="preload" as="script" href="/a.js">'
    )


def test_every_page_of_the_build_is_rewritten(tmp_path: Path) -> None:
    (tmp_path / "vos-informations").mkdir()
    (tmp_path / "index.html").write_text(PAGE)
    (tmp_path / "vos-informations" / "index.html").write_text(PAGE)
    (tmp_path / "offline.html").write_text("<head></head>")
    (tmp_path / "app.js").write_text('"<link rel=\\"modulepreload\\">"')

    assert drop_page_preloads(tmp_path) == 2
    assert (tmp_path / "vos-informations" / "index.html").read_text() == WITHOUT
    assert (tmp_path / "offline.html").read_text() == "<head></head>"
    assert "modulepreload" in (tmp_path / "app.js").read_text()
