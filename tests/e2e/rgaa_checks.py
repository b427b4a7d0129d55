"""The RGAA 4.1 checks a machine can make beyond axe, run on one page as it stands.

`audit_page` groups every check on one visit: the HTML as the browser has it (validated with
the other pages of the test by `report`), the DOM checks (one evaluate), axe-core, a walk
through the page with the Tab key, then the page at 200 % zoom, at 320 CSS px, and with the
WCAG 1.4.12 text spacing. Each failure is reported under its RGAA criterion number, the way
rxapp/services/accessibility/rgaa_4_1.toml cites these tests as evidence.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field

from playwright.sync_api import Page

from rxapp.components.layout import footer_links
from tests.e2e.helpers import assert_accessible
from tests.e2e.html_validity import html_problems

# Colours are resolved through a canvas: computed styles may be rgb(), color(display-p3 …) or oklch().
_COLOUR_TOOLS = """
const canvas = document.createElement('canvas'); canvas.width = canvas.height = 1;
const ctx = canvas.getContext('2d', {willReadFrequently: true});
const rgba = (css) => {
  ctx.clearRect(0, 0, 1, 1); ctx.fillStyle = '#000'; ctx.fillStyle = css; ctx.fillRect(0, 0, 1, 1);
  const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data; return [r, g, b, a / 255];
};
const lum = ([r, g, b]) => { const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
const ratio = (x, y) => { const [a, b] = [lum(x), lum(y)].sort((p, q) => q - p); return (a + 0.05) / (b + 0.05); };
const over = ([r, g, b, a], [R, G, B]) => [r * a + R * (1 - a), g * a + G * (1 - a), b * a + B * (1 - a), 1];
const backdrop = (el) => { const layers = [];
  for (let n = el; n && n.nodeType === 1; n = n.parentElement) { const c = rgba(getComputedStyle(n).backgroundColor);
    if (c[3] > 0) { layers.push(c); if (c[3] === 1) break; } }
  return layers.reverse().reduce((acc, c) => over(c, acc), [255, 255, 255, 1]); };
const shadowColours = (value) => value === 'none' ? [] :
  (value.match(/(rgba?|color|oklch|oklab|lab|lch)\\([^)]*\\)/g) || []);
const visible = (el) => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
  return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
"""

_DOM_CHECKS = (
    "(expected) => {"
    + _COLOUR_TOOLS
    + r"""
const problems = [];
const fail = (criterion, text) => problems.push([criterion, text]);
const name = (el) => (el.getAttribute('aria-label') || el.innerText || el.textContent || '').trim().replace(/\s+/g, ' ');
const label = (el) => (el.tagName + (el.id ? '#' + el.id : '') + ' ' + name(el).slice(0, 40)).trim();
// 8.1, 8.3, 8.4, 8.5
if (!document.doctype || document.doctype.name !== 'html') fail('8.1', 'pas de <!DOCTYPE html>');
if (document.documentElement.lang !== 'fr') fail('8.3', `lang="${document.documentElement.lang}"`);
if (!document.title.trim()) fail('8.5', 'titre vide');
// 9.1: one h1, no level skipped, no empty heading.
// A modal dialog is checked on its own: the page behind it is hidden (aria-hidden) and out of reach.
const headings = [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].filter(visible).filter(h => !h.closest('[role=dialog]'));
if (headings.filter(h => h.tagName === 'H1').length !== 1) fail('9.1', `${headings.filter(h => h.tagName === 'H1').length} h1`);
let previous = 0;
for (const h of headings) { const level = +h.tagName[1];
  if (!name(h)) fail('9.1', `${h.tagName} vide`);
  if (previous && level > previous + 1) fail('9.1', `${h.tagName} « ${name(h).slice(0, 40)} » après un h${previous}`);
  previous = level; }
// 9.2, 12.6: the landmarks, once each (nav on the signed-in pages), outside one another.
for (const [selector, role] of [['header', 'banner'], ['main', 'main'], ['footer', 'contentinfo']]) {
  const found = [...document.querySelectorAll(`${selector}, [role=${role}]`)].filter(el => !el.closest('main') || selector === 'main');
  if (found.length !== 1) fail('12.6', `${found.length} zone(s) ${selector}`); }
for (const nav of document.querySelectorAll('nav')) if (!nav.getAttribute('aria-label')) fail('12.6', 'nav sans nom');
// 12.7: the skip link is the first focusable element and leads to main.
const focusables = [...document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]')]
  .filter(el => el.tabIndex >= 0 && !el.disabled && !el.closest('[aria-hidden=true]') && !el.closest('[inert]'));
const modal = document.querySelector('[role=dialog][aria-modal=true], [role=alertdialog]');
const skip = modal ? null : focusables[0];
const target = skip && skip.hash && document.getElementById(skip.hash.slice(1));
if (!modal && (!skip || name(skip) !== 'Aller au contenu' || !target || target.tagName !== 'MAIN')) fail('12.7', 'pas de lien d\'évitement vers main en tête de page');
// 12.8: no positive tabindex.
for (const el of document.querySelectorAll('[tabindex]')) if (el.tabIndex > 0) fail('12.8', `tabindex=${el.tabIndex} sur ${label(el)}`);
// 1.1, 1.2: every image is decorative and ignored (the sample has no informative image).
for (const img of document.querySelectorAll('img')) if (img.getAttribute('alt') !== '' && !img.closest('[aria-hidden=true]')) fail('1.2', `img non ignorée ${img.src}`);
for (const svg of document.querySelectorAll('svg')) if (!svg.closest('[aria-hidden=true]') && svg.getAttribute('role') !== 'img' && visible(svg)) fail('1.2', 'svg sans aria-hidden');
for (const svg of document.querySelectorAll('svg[role=img]')) fail('1.1', 'image porteuse d\'information non prévue dans la grille');
// 2.1, 4.x, 9.4, 8.9, 10.1: what the grid says the sample does not have.
for (const tag of ['iframe', 'frame', 'video', 'audio', 'object', 'embed', 'marquee', 'blink']) if (document.querySelector(tag)) fail(tag.includes('frame') ? '2.1' : '4.1', `<${tag}> présent`);
for (const tag of ['blockquote', 'q']) if (document.querySelector(tag)) fail('9.4', `<${tag}> présent`);
for (const tag of ['b', 'i', 'u', 'font', 'center', 'big', 'strike', 'tt']) if (document.querySelector(`body ${tag}`)) fail('8.9', `<${tag}> présent`);
if (document.querySelector('br + br')) fail('8.9', 'br en série');
for (const el of document.querySelectorAll('[align], [bgcolor], [valign], [background]')) fail('10.1', `attribut de présentation sur ${label(el)}`);
// 10.5: the page declares its text and background colours.
const bodyStyle = getComputedStyle(document.body);
if (rgba(bodyStyle.color)[3] === 0) fail('10.5', 'couleur du texte non déclarée');
if (rgba(bodyStyle.backgroundColor)[3] === 0 && rgba(getComputedStyle(document.documentElement).backgroundColor)[3] === 0)
  fail('10.5', 'couleur de fond non déclarée');
// 9.3: list items in lists; the navigation and the footer are lists of links.
for (const li of document.querySelectorAll('li')) if (!['UL', 'OL', 'MENU'].includes(li.parentElement.tagName)) fail('9.3', `li hors liste : ${label(li)}`);
for (const zone of document.querySelectorAll('nav, footer')) if (zone.querySelectorAll('a').length > 1 && !zone.querySelector('ul, ol')) fail('9.3', `${zone.tagName} sans liste`);
// 12.2, 12.4: the same footer, in the same order, on every page (the site map included).
const footerLinks = [...document.querySelectorAll('footer a')].map(name).join(' | ');
if (footerLinks !== expected.footer) fail('12.2', `pied de page « ${footerLinks} »`);
// 5.3-5.7: data tables have a caption, th headers, each th a scope; no layout table.
for (const table of document.querySelectorAll('table')) {
  if (['presentation', 'none'].includes(table.getAttribute('role'))) { fail('5.3', 'tableau de mise en forme'); continue; }
  if (!table.caption || !name(table.caption)) fail('5.4', 'tableau sans caption');
  const ths = table.querySelectorAll('th');
  if (!ths.length) fail('5.6', 'tableau sans th');
  for (const th of ths) if (!['col', 'row', 'colgroup', 'rowgroup'].includes(th.getAttribute('scope'))) fail('5.7', `th sans scope : ${name(th)}`); }
// 6.2: every link has a name; no link to "#" alone.
for (const a of document.querySelectorAll('a[href]')) {
  if (!name(a) && !a.getAttribute('aria-labelledby')) fail('6.2', `lien sans intitulé ${a.getAttribute('href')}`);
  const href = a.getAttribute('href').trim();
  if (href === '#' || href.startsWith('javascript:')) fail('6.2', `lien vers « ${href} » : ${name(a)}`); }
// 10.6: links inside running text are underlined.
for (const a of document.querySelectorAll('p a[href], li > a[href]')) {
  if (a.closest('nav') || a.closest('footer') || !visible(a)) continue;
  const parentText = (a.parentElement.innerText || '').trim();
  if (parentText === name(a)) continue; // a link alone on its line is not inside running text
  if (!getComputedStyle(a).textDecorationLine.includes('underline')) fail('10.6', `lien non souligné dans le texte : ${name(a)}`); }
// 10.8: nothing hidden from assistive technologies can take the focus.
// (A modal dialog hides the page behind it this way; its focus trap keeps the focus in: see 12.9.)
if (!document.querySelector('[role=dialog][aria-modal=true]'))
  for (const el of document.querySelectorAll('[aria-hidden=true] a[href], [aria-hidden=true] button, [aria-hidden=true] input'))
    if (el.tabIndex >= 0 && visible(el)) fail('10.8', `focalisable dans aria-hidden : ${label(el)}`);
// 11.1: every field has a label; 11.5, 11.6: radios grouped in a fieldset with a legend.
const fields = [...document.querySelectorAll('input, select, textarea')].filter(el => el.type !== 'hidden' && !el.closest('[aria-hidden=true]'));
for (const el of fields) {
  const labelled = (el.labels && el.labels.length && [...el.labels].some(l => name(l))) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
  if (!labelled) fail('11.1', `champ sans étiquette ${label(el)}`);
  if (el.type === 'radio') { const group = el.closest('fieldset, [role=radiogroup], [role=group]');
    const legend = group && (group.tagName === 'FIELDSET' ? group.querySelector('legend') : null);
    if (!group) fail('11.5', `bouton radio hors groupe ${label(el)}`);
    else if (group.tagName === 'FIELDSET' && (!legend || !name(legend))) fail('11.6', 'fieldset sans légende'); } }
// 11.10: the login forms say their fields are required.
for (const el of fields.filter(f => ['text', 'password'].includes(f.type) && f.form))
  if (el.getAttribute('aria-required') !== 'true' && !el.required) fail('11.10', `champ obligatoire non signalé ${label(el)}`);
// 11.13: personal-data fields say their purpose (autocomplete).
const purposes = {'numéro de sécurité sociale': 'username', 'code': 'current-password', 'identifiant': 'username', 'mot de passe': 'current-password'};
for (const el of fields) { const text = el.labels && el.labels[0] ? name(el.labels[0]).toLowerCase() : '';
  const wanted = purposes[text];
  if (wanted && el.getAttribute('autocomplete') !== wanted) fail('11.13', `${text} : autocomplete="${el.getAttribute('autocomplete')}" au lieu de "${wanted}"`); }
// 3.3: the edge of each field and radio button has 3:1 against what is behind it.
for (const el of fields.filter(visible)) {
  if (el.type === 'checkbox' || el.type === 'radio' || el.tagName === 'SELECT' || ['text', 'password', 'search', 'email'].includes(el.type)) {
    const behind = backdrop(el.parentElement.parentElement || el.parentElement);
    const edges = [];
    for (const n of [el, el.parentElement]) { const s = getComputedStyle(n);
      if (parseFloat(s.borderTopWidth) > 0) edges.push(s.borderTopColor);
      edges.push(...shadowColours(s.boxShadow)); }
    if (el.type === 'radio' || el.type === 'checkbox') edges.push(getComputedStyle(el).accentColor === 'auto' ? '#767676' : getComputedStyle(el).accentColor);
    const best = Math.max(0, ...edges.map(c => ratio(over(rgba(c), behind), behind)));
    if (best < 3) fail('3.3', `bord de ${label(el)} à ${best.toFixed(2)}:1`); } }
// 13.8: nothing moves or blinks for more than 5 seconds.
for (const animation of document.getAnimations()) { const timing = animation.effect && animation.effect.getComputedTiming();
  if (timing && (timing.endTime === Infinity || timing.endTime > 5000)) fail('13.8', `animation de ${timing.endTime} ms`); }
return problems;
}"""
)

# The element that has the focus: where it is, and whether its focus indicator shows (10.7, 3.3).
_FOCUSED = (
    "() => {"
    + _COLOUR_TOOLS
    + r"""
const el = document.activeElement;
if (!el || el === document.body || el === document.documentElement) return null;
const r = el.getBoundingClientRect();
// The indicator is drawn on the element, or on the frame around a field (Radix: :focus-within).
const indicator = Math.max(0, ...[el, el.parentElement].filter(Boolean).map(n => {
  const s = getComputedStyle(n); const behind = backdrop(n.parentElement || n);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2 ? ratio(over(rgba(s.outlineColor), behind), behind) : 0;
  const shadow = Math.max(0, ...shadowColours(s.boxShadow).map(c => ratio(over(rgba(c), behind), behind)));
  return Math.max(outline, shadow); }));
const path = []; for (let n = el; n && n !== document.body; n = n.parentElement) path.unshift(n.tagName + (n.id ? '#' + n.id : '') + ':' + [...n.parentElement.children].indexOf(n));
return {key: path.join('>'), name: (el.getAttribute('aria-label') || el.innerText || el.value || el.tagName).trim().slice(0, 40),
        top: r.top + window.scrollY, left: r.left + window.scrollX, height: r.height,
        indicator, inDialog: !!el.closest('[role=dialog]')};
}"""
)

# Text that overflows a box that clips it (10.4, 10.11, 10.12), and the horizontal scroll.
_LOSSES = r"""() => {
const lost = [];
for (const el of document.querySelectorAll('main *, header *, footer *, nav *')) {
  const s = getComputedStyle(el);
  if (!['hidden', 'clip'].includes(s.overflowX) && !['hidden', 'clip'].includes(s.overflowY)) continue;
  if (!el.innerText || !el.innerText.trim() || el.closest('.sr-only')) continue;
  const r = el.getBoundingClientRect(); if (r.width <= 1 || r.height <= 1) continue;
  // Lost only along an axis that clips: a scroll container (a wide table) keeps its content reachable.
  const clips = (value) => ['hidden', 'clip'].includes(value);
  if ((clips(s.overflowX) && el.scrollWidth > el.clientWidth + 2) || (clips(s.overflowY) && el.scrollHeight > el.clientHeight + 2))
    lost.push(el.innerText.trim().slice(0, 40)); }
const scroll = document.documentElement.scrollWidth - document.documentElement.clientWidth;
return {lost, scroll};
}"""

_TEXT_SPACING = r"""() => {
for (const el of document.querySelectorAll('body, body *')) {
  el.style.setProperty('line-height', '1.5', 'important');
  el.style.setProperty('letter-spacing', '0.12em', 'important');
  el.style.setProperty('word-spacing', '0.16em', 'important');
  if (el.tagName === 'P') el.style.setProperty('margin-bottom', '2em', 'important'); }
}"""

_RESET_SPACING = r"""() => {
for (const el of document.querySelectorAll('body, body *'))
  for (const property of ['line-height', 'letter-spacing', 'word-spacing', el.tagName === 'P' ? 'margin-bottom' : '']) if (property) el.style.removeProperty(property);
}"""

_MAIN_TEXT_WITHOUT_CSS = r"""() => {
const text = () => document.querySelector('main').innerText.replace(/\s+/g, ' ').trim();
const before = text();
const sheets = [...document.styleSheets].filter(sheet => !sheet.disabled);
for (const sheet of sheets) sheet.disabled = true;
const after = text();
for (const sheet of sheets) sheet.disabled = false;
return before.split(' ').filter(w => w.length > 3 && !after.includes(w)).slice(0, 5);
}"""

# The next Tab starts from the top of the page (the focus starting point is the body's start).
_FROM_THE_TOP = """() => { window.scrollTo(0, 0); if (document.activeElement) document.activeElement.blur();
  document.body.tabIndex = -1; document.body.focus({preventScroll: true}); document.body.removeAttribute('tabindex'); }"""

MAX_TABS = 150
REFLOW_WIDTH = 320


@dataclass
class PageAudit:
    """What one page visit found, criterion by criterion."""

    name: str
    title: str = ""
    path: str = ""
    html: str = ""
    problems: list[tuple[str, str]] = field(default_factory=list)

    def fail(self, criterion: str, text: str) -> None:
        self.problems.append((criterion, text))


def _tab_walk(page: Page, audit: PageAudit) -> None:
    """Tab from the top of the page until the focus leaves it or comes back (10.7, 12.8, 12.9, 3.3)."""
    page.evaluate(_FROM_THE_TOP)
    seen: list[str] = []
    positions: list[tuple[float, float, float, bool]] = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUSED)
        if focused is None:
            if seen:
                break  # left the page: no trap
            continue
        if focused["key"] in seen:
            if focused["key"] != seen[0] and not focused["inDialog"]:
                audit.fail(
                    "12.9", f"la tabulation revient à « {focused['name']} » sans avoir parcouru la page"
                )
            break
        seen.append(focused["key"])
        if focused["indicator"] < 3:
            audit.fail("10.7", f"focus peu visible sur « {focused['name']} » ({focused['indicator']:.2f}:1)")
        positions.append((focused["top"], focused["left"], focused["height"], focused["inDialog"]))
    else:
        audit.fail("12.9", f"plus de {MAX_TABS} arrêts de tabulation : piège probable")
    if len(seen) < 2:
        audit.fail("12.8", "moins de deux éléments atteints par la tabulation")
    # 12.8: the focus reads the page as a person does: down, or up only to the next column on the
    # right (cards side by side are read one after the other); never back up and to the left.
    for (top, left, height, in_dialog), (next_top, next_left, _, next_in_dialog) in itertools.pairwise(
        positions
    ):
        if in_dialog == next_in_dialog and next_top < top - max(height, 60) and next_left <= left + 40:
            audit.fail("12.8", f"la tabulation remonte de {top - next_top:.0f} px vers la gauche")


def _skip_link(page: Page, audit: PageAudit) -> None:
    """12.7: the first Tab reaches "Aller au contenu", and Enter moves the focus to <main>."""
    if page.evaluate("() => !!document.querySelector('[role=dialog][aria-modal=true]')"):
        return  # a modal dialog holds the focus: the page behind it is inert
    page.evaluate(_FROM_THE_TOP)
    page.keyboard.press("Tab")
    if page.evaluate("() => document.activeElement.innerText.trim()") != "Aller au contenu":
        audit.fail("12.7", "le premier arrêt de tabulation n'est pas le lien d'évitement")
        return
    path = page.evaluate("() => location.pathname")
    page.keyboard.press("Enter")
    deadline = time.monotonic() + 5
    while page.evaluate("() => document.activeElement.tagName") != "MAIN":
        if time.monotonic() > deadline:
            audit.fail("12.7", "le lien d'évitement ne mène pas le focus au contenu principal")
            return
        time.sleep(0.05)
    if page.evaluate("() => location.pathname") != path:
        audit.fail("12.7", "le lien d'évitement a changé de page")


def _losses(page: Page, audit: PageAudit, criterion: str, what: str) -> None:
    found = page.evaluate(_LOSSES)
    if found["scroll"] > 0:
        audit.fail(criterion, f"{what} : défilement horizontal de {found['scroll']} px")
    for text in found["lost"]:
        audit.fail(criterion, f"{what} : texte coupé « {text} »")


def audit_page(page: Page, name: str, *, title_names: str) -> PageAudit:
    """Run every check on the page as it stands, and leave it as it was.

    Args:
        page: the page, loaded and settled.
        name: the page's key in the grid.
        title_names: what its <title> must start with (8.6: the page or the step).
    """
    audit = PageAudit(name, page.title(), page.evaluate("() => location.pathname"), page.content())
    if not audit.title.startswith(title_names):
        audit.fail("8.6", f"titre « {audit.title} » au lieu de « {title_names}… »")
    footer = " | ".join(text for text, _ in footer_links())
    for criterion, text in page.evaluate(_DOM_CHECKS, {"footer": footer}):
        audit.fail(criterion, text)
    try:
        assert_accessible(page)  # 3.2, 6.2, 7.1, 11.1 (axe-core)
    except AssertionError as error:
        audit.fail("3.2", str(error))
    for word in page.evaluate(_MAIN_TEXT_WITHOUT_CSS):
        audit.fail("10.2", f"« {word} » disparaît sans feuille de styles")
    _skip_link(page, audit)
    _tab_walk(page, audit)
    size = page.viewport_size or {"width": 1440, "height": 900}
    zoomed = max(REFLOW_WIDTH, size["width"] // 2)
    page.set_viewport_size({"width": zoomed, "height": max(256, size["height"] // 2)})  # 200 % zoom
    _losses(page, audit, "10.4", "zoom 200 %")
    page.set_viewport_size({"width": REFLOW_WIDTH, "height": 256})  # 1280 px wide at 400 %
    _losses(page, audit, "10.11", "320 px")
    page.set_viewport_size(size)
    page.evaluate(_TEXT_SPACING)
    _losses(page, audit, "10.12", "espacement du texte")
    page.evaluate(_RESET_SPACING)
    return audit


def report(audits: list[PageAudit]) -> str:
    """The problems of every page, criterion first, for the assertion message.

    The pages' HTML is validated here, all at once (8.2): one run of the validator per test.
    """
    invalid = html_problems({audit.name: audit.html for audit in audits})
    for audit in audits:
        for problem in invalid.get(audit.name, []):
            audit.fail("8.2", problem)
    lines = [f"- {criterion} [{audit.name}] {text}" for audit in audits for criterion, text in audit.problems]
    # The login page with FranceConnect's refusal shown is the same page: one title for one address.
    paths: dict[str, set[str]] = {}
    for audit in audits:
        paths.setdefault(audit.title, set()).add(audit.path)
    repeated = {title for title, where in paths.items() if len(where) > 1}
    lines += [f"- 8.6 titre en double « {title} »" for title in sorted(repeated)]
    return "\n".join(lines)
