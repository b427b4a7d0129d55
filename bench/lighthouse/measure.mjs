// One Lighthouse run over a list of pages, driven by `bench/lighthouse.py`.
//
//   node measure.mjs <plan.json>
//
// The plan names the Chromium binary, the preset (mobile or desktop) and the
// steps. A step either measures a page (a Lighthouse navigation in the same tab,
// so the session cookie and Reflex's per-tab token survive; the HTTP cache is
// cleared, so each figure is a first load) or acts in the page as a person would
// (fill a field, click a button, check a radio per group), to reach the next
// page of the journey. The result, one object per measured page, is printed as
// JSON on stdout.

import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';

import lighthouse, {desktopConfig} from 'lighthouse';
import puppeteer from 'puppeteer-core';

const CATEGORIES = ['performance', 'accessibility', 'best-practices'];
const METRICS = {
  fcp_ms: 'first-contentful-paint',
  lcp_ms: 'largest-contentful-paint',
  tbt_ms: 'total-blocking-time',
  si_ms: 'speed-index',
  cls: 'cumulative-layout-shift',
  total_kb: 'total-byte-weight',
};
const ACTION_TIMEOUT = 20_000;
const ATTEMPTS = 3;

const plan = JSON.parse(readFileSync(process.argv[2], 'utf8'));

/** Transfer sizes of the first load, by resource type, in KB (gzip as sent). */
function transfer(lhr) {
  const items = lhr.audits['network-requests']?.details?.items ?? [];
  const kb = (type) =>
    items.filter((item) => item.resourceType === type).reduce((sum, item) => sum + (item.transferSize ?? 0), 0) /
    1024;
  return {
    js_kb: kb('Script'),
    js_requests: items.filter((item) => item.resourceType === 'Script').length,
    css_kb: kb('Stylesheet'),
    font_kb: kb('Font'),
    image_kb: kb('Image'),
  };
}

/** Audits of a category that did not pass, to explain a score below 100. */
function failing(lhr, category) {
  return (lhr.categories[category]?.auditRefs ?? [])
    .filter((ref) => ref.weight > 0)
    .map((ref) => lhr.audits[ref.id])
    .filter((audit) => audit && audit.score !== null && audit.score < 1)
    .map((audit) => ({id: audit.id, score: audit.score, value: audit.displayValue ?? ''}));
}

/** Opportunities and diagnostics worth reading when performance is short. */
function insights(lhr) {
  const ids = [
    'unused-javascript',
    'render-blocking-resources',
    'render-blocking-insight',
    'legacy-javascript',
    'bootup-time',
    'mainthread-work-breakdown',
    'font-display',
    'font-display-insight',
    'uses-rel-preconnect',
    'network-dependency-tree-insight',
    'lcp-breakdown-insight',
    'layout-shifts',
    'cls-culprits-insight',
  ];
  return ids
    .map((id) => lhr.audits[id])
    .filter((audit) => audit && audit.score !== null && audit.score < 1)
    .map((audit) => ({id: audit.id, value: audit.displayValue ?? '', savings: audit.metricSavings ?? {}}));
}

function summarise(name, lhr) {
  const result = {page: name, url: lhr.finalDisplayedUrl, warnings: lhr.runWarnings};
  for (const category of CATEGORIES) {
    const score = lhr.categories[category]?.score;
    result[category.replace('-', '_')] = score === null || score === undefined ? null : Math.round(score * 100);
  }
  for (const [key, id] of Object.entries(METRICS)) {
    const value = lhr.audits[id]?.numericValue;
    result[key] = value === undefined ? null : key.endsWith('_kb') ? value / 1024 : value;
  }
  Object.assign(result, transfer(lhr));
  result.failing = Object.fromEntries(CATEGORIES.map((category) => [category, failing(lhr, category)]));
  result.insights = insights(lhr);
  return result;
}

async function act(page, step) {
  const aria = (role, name) => `::-p-aria([name="${name}"][role="${role}"])`;
  switch (step.do) {
    case 'goto':
      await page.goto(plan.base_url + step.path, {waitUntil: 'networkidle0'});
      break;
    case 'fill':
      await page.locator(aria('textbox', step.label)).setTimeout(ACTION_TIMEOUT).fill(step.value);
      break;
    case 'click':
      await page.locator(aria(step.role ?? 'button', step.name)).setTimeout(ACTION_TIMEOUT).click();
      break;
    case 'check_first_radio_per_group':
      await page.waitForSelector('fieldset input[type="radio"]', {timeout: ACTION_TIMEOUT});
      await page.$$eval('fieldset', (groups) =>
        groups.forEach((group) => group.querySelector('input[type="radio"]')?.click()),
      );
      break;
    case 'wait_for_path':
      // The server's redirects end on the route's trailing-slash form (`/tableau-de-bord/`).
      await page.waitForFunction(
        (path) => window.location.pathname.replace(/(.)\/$/, '$1') === path,
        {timeout: ACTION_TIMEOUT},
        step.path,
      );
      break;
    case 'wait_for_selector':
      await page.waitForSelector(step.selector, {timeout: ACTION_TIMEOUT});
      break;
    case 'wait_for_text':
      await page.waitForFunction((text) => document.body.innerText.includes(text), {timeout: ACTION_TIMEOUT}, step.text);
      break;
    default:
      throw new Error(`unknown step ${JSON.stringify(step)}`);
  }
}

/** One Lighthouse navigation; a failed trace (NO_NAVSTART and the like, under load) is tried again. */
async function audit(url, flags, config, page, name) {
  for (let attempt = 1; ; attempt++) {
    const {lhr} = await lighthouse(url, flags, config, page);
    if (!lhr.runtimeError) return lhr;
    const reason = `${name}: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`;
    if (attempt >= ATTEMPTS) throw new Error(reason);
    process.stderr.write(`  ${reason}, attempt ${attempt + 1}\n`);
  }
}

async function main() {
  const browser = await puppeteer.launch({
    executablePath: plan.chromium,
    headless: true,
    defaultViewport: null,
    args: plan.chromium_args,
  });
  const results = [];
  const page = await browser.newPage();
  try {
    const config = plan.preset === 'desktop' ? desktopConfig : undefined;
    const flags = {logLevel: 'error', output: 'json', onlyCategories: CATEGORIES};
    for (const step of plan.steps) {
      if (step.do !== 'measure') {
        await act(page, step);
        continue;
      }
      const lhr = await audit(plan.base_url + step.path, flags, config, page, step.name);
      const summary = summarise(step.name, lhr);
      if (plan.report_dir) {
        // The whole report, to read what delays a page (LCP breakdown, dependency tree, ...).
        mkdirSync(plan.report_dir, {recursive: true});
        writeFileSync(join(plan.report_dir, `${plan.report_prefix ?? ''}${plan.preset}-${step.name}.json`), JSON.stringify(lhr));
      }
      const landed = new URL(summary.url).pathname.replace(/(.)\/$/, '$1');
      if (step.expect_path && landed !== step.expect_path) {
        throw new Error(`${step.name}: ended on ${summary.url}, expected ${step.expect_path}`);
      }
      results.push(summary);
      process.stderr.write(`  ${plan.preset} ${step.name}: perf ${summary.performance}, js ${summary.js_kb.toFixed(1)} KB\n`);
    }
  } catch (error) {
    if (plan.failure_screenshot) {
      await page.screenshot({path: plan.failure_screenshot, fullPage: true}).catch(() => {});
      process.stderr.write(`screenshot: ${plan.failure_screenshot} (${page.url()})\n`);
    }
    throw error;
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
