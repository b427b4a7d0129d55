// RGAA 8.2: validate pages as the browser has them after hydration, with html-validate.
// Usage: node validate.mjs pages.json  (a JSON list of {"name", "html"}), run by
// tests/e2e/html_validity.py. Prints a JSON object: page name -> list of
// {rule, message, selector, line}.
import { readFileSync } from "node:fs";
import { HtmlValidate } from "html-validate";

const config = {
  root: true, // no .htmlvalidate.json of the folders around applies
  // Validity against the HTML specification: content models, permitted parents, order and
  // occurrences, required and allowed attributes and values, duplicate ids and attributes,
  // nesting and closing, deprecated elements. None of the house-style rules of "recommended".
  extends: ["html-validate:standard"],
  rules: {},
};

const validator = new HtmlValidate(config);
const pages = JSON.parse(readFileSync(process.argv[2], "utf8"));
const found = {};
for (const { name, html } of pages) {
  const report = await validator.validateString(html, `${name}.html`);
  found[name] = report.results.flatMap((result) =>
    result.messages
      .filter((message) => message.severity === 2)
      .map(({ ruleId, message, selector, line }) => ({ rule: ruleId, message, selector, line })),
  );
}
process.stdout.write(JSON.stringify(found));
