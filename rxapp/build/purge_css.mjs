// PurgeCSS over the built global style sheet, run by `rxapp/build/purge.py` in the
// frontend's folder (`.web`, where Reflex installed purgecss). Reads its plan as JSON on
// stdin: {css, content, safelist, drop_tokens, drop_prefixes, variables, output}.
import {readFileSync, writeFileSync} from 'node:fs';

import {PurgeCSS} from 'purgecss';

const plan = JSON.parse(readFileSync(0, 'utf8'));
const drop = new Set(plan.drop_tokens);
const dropped = (token) => drop.has(token) || plan.drop_prefixes.some((prefix) => token.startsWith(prefix));

// PurgeCSS's default extractor, plus whole responsive names (`md:rt-r-size-2`) and short
// quoted strings, for attribute values such as `data-scaling="100%"`; the colours no code
// uses are left out, so that their `[data-accent-color=…]` rules and colour scales go, and
// so are the class names of the Radix Themes controls no page imports.
function extract(content) {
  const found = new Set();
  for (const token of content.match(/[A-Za-z0-9_:-]+/g) ?? []) {
    found.add(token);
    if (token.includes(':')) token.split(':').forEach((part) => found.add(part));
  }
  for (const [, , value] of content.matchAll(/(["'`])([^"'`\s${}<>]{1,40})\1/g)) found.add(value);
  return [...found].filter((token) => !dropped(token));
}

// Read here, not by PurgeCSS's globs, which skip files under a dot folder such as `.web`.
const raw = (path) => ({raw: readFileSync(path, 'utf8'), extension: path.split('.').pop()});
// PurgeCSS (6 to 8) drops a selector made of pseudo-classes only: our own `:focus-visible`
// focus ring (assets/styles.css), and, inside Radix's `:where()`, the `:focus-visible` of
// `.rt-BaseButton:where(:focus-visible)` or the `:not(...)` of `:where(:not(.rt-variant-ghost))`,
// where the emptied `:where` then takes the whole rule with it (the focus rings and the button
// padding went). Such a selector names no class that could be unused: keep it (inside a
// `:where`, the outer selector still decides).
class Purge extends PurgeCSS {
  shouldKeepSelector(selector, found) {
    if (selector.nodes.length > 0 && selector.nodes.every((node) => node.type === 'pseudo')) return true;
    return super.shouldKeepSelector(selector, found);
  }
}

const [result] = await new Purge().purge({
  css: [raw(plan.css)],
  content: plan.content.map(raw),
  extractors: [{extractor: extract, extensions: ['html', 'js']}],
  safelist: {standard: plan.safelist, variables: plan.variables},
  variables: true,
  keyframes: false,
  fontFace: false,
});
writeFileSync(plan.output, result.css);
