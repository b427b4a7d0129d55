"""RGAA 8.2: the validator the browser tests run (tests/e2e/html_validity.py) rejects invalid
HTML, the kind a component can generate, and accepts valid HTML whatever its style."""

from __future__ import annotations

from tests.e2e.html_validity import html_problems

PAGE = '<!DOCTYPE html><html lang="fr"><head><title>Page</title></head><body>{}</body></html>'


def test_invalid_generated_html_is_reported_by_rule() -> None:
    found = html_problems(
        {
            "lien_bouton": PAGE.format('<a href="/">Retour <button type="button">x</button></a>'),
            "ids": PAGE.format('<main id="contenu"><p id="contenu">Texte</p></main>'),
            "paragraphe": PAGE.format("<p>Texte <div>bloc</div></p>"),
            "style": PAGE.format("<div><style>p{color:red}</style></div>"),
            "liste": PAGE.format("<div><li>élément</li></div>"),
        }
    )
    rules = {name: {problem.split(":")[0] for problem in problems} for name, problems in found.items()}
    assert "element-permitted-content" in rules["lien_bouton"]
    assert "no-dup-id" in rules["ids"]
    assert rules["paragraphe"]  # the <p> closes before the <div>: a stray </p>
    assert "element-permitted-content" in rules["style"]
    assert "element-permitted-parent" in rules["liste"]


def test_valid_html_passes_whatever_its_style() -> None:
    # Inline styles, upper-case attributes, unquoted values, boolean attribute forms and trailing
    # whitespace are house style, not validity: the standard preset leaves them alone.
    html = PAGE.format(
        '<main ID=contenu style="color:red"><h1>Titre</h1>  \n'
        '<label for="c">Code</label><input id="c" name="c" type="text" required="required">'
        "<button>Valider</button></main>"
    )
    assert html_problems({"page": html}) == {"page": []}
