import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AccessibilityViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * axe-core's scan of the page as it is now: the serious and critical violations, each with the
 * elements it found. axe goes in through Playwright's evaluate (DevTools protocol), so the page's
 * CSP, which forbids inline scripts, stays in force for everything else.
 */
export async function seriousAccessibilityViolations(page: Page): Promise<AccessibilityViolation[]> {
  await page.evaluate(axeSource);
  // A string, not a function: these tests compile without the DOM's types.
  const violations = (await page.evaluate(`axe.run(document).then((results) => results.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    targets: violation.nodes.map((node) => node.target.join(' ')),
  })))`)) as AccessibilityViolation[];
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}
