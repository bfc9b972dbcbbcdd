import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { FakeProvider } from '../fakes/fake-provider.ts';
import { post } from '../support/post.ts';
import { type SignedIn, startTestApi, type TestApi } from '../support/start-test-api.ts';
import { launchChromium } from './launch-chromium.ts';
import { type AccessibilityViolation, seriousAccessibilityViolations } from './scan-accessibility.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
/** Where the Studio tests save their screenshots (gitignored): `test-results/studio/<name>.png`. */
export const screenshotDir = join(repoRoot, 'test-results/studio');

/** The two widths every Studio page is tested at. */
export const viewports = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1280, height: 800 },
} as const;
export type Width = keyof typeof viewports;

export interface StudioPage {
  page: Page;
  width: Width;
  /** Script errors and console errors (CSP refusals included), other than failed requests. */
  problems: string[];
}

export interface StudioBrowser {
  /** The test API serving the built Studio (in this process, local backend). */
  api: TestApi;
  /** `http://127.0.0.1:<port>/studio/` */
  studioUrl: string;
  /** A fresh browser context (no cookies) at that width. */
  openPage(width: Width): Promise<StudioPage>;
  /** Saves a full-page screenshot as `test-results/studio/<name>-<width>.png` and returns its path. */
  screenshot(studioPage: StudioPage, name: string): Promise<string>;
  /** axe-core's serious and critical violations on the page as it is now. */
  accessibilityViolations(studioPage: StudioPage): Promise<AccessibilityViolation[]>;
  /** A screenshot (`<name>-<width>.png`) and an axe scan of the page as it is now, expecting 0 serious or critical violations. */
  check(studioPage: StudioPage, name: string): Promise<void>;
  /** Opens Studio and signs in as a person does (dev login as `email`: the user's own org), ending on the Agents page. */
  signIn(studioPage: StudioPage, email: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Studio in a real headless chromium: the built Studio (rebuilt first when its sources changed)
 * served by a test API, and pages at phone and desktop widths. What every Studio test starts from.
 */
export async function startStudioBrowser(options: Parameters<typeof startTestApi>[0] = {}): Promise<StudioBrowser> {
  buildStudioIfStale();
  const api = await startTestApi(options);
  let browser: Browser;
  try {
    browser = await launchChromium();
  } catch (err) {
    await api.stop();
    throw err;
  }
  mkdirSync(screenshotDir, { recursive: true });

  const studio: StudioBrowser = {
    api,
    studioUrl: `${api.url}/studio/`,
    async openPage(width) {
      const context = await browser.newContext({ viewport: viewports[width] });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        // A failed fetch is logged too; a test asserts on the words the page shows for it instead.
        if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
          problems.push(`console: ${message.text()}`);
        }
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      return { page, width, problems };
    },
    async screenshot({ page, width }, name) {
      const path = join(screenshotDir, `${name}-${width}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    accessibilityViolations: ({ page }) => seriousAccessibilityViolations(page),
    async check(studioPage, name) {
      await studio.screenshot(studioPage, name);
      expect(await studio.accessibilityViolations(studioPage), `${name} at ${studioPage.width} width`).toEqual([]);
    },
    async signIn({ page }, email) {
      await page.goto(studio.studioUrl);
      await page.getByLabel('Email').fill(email);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Agents', level: 1 }).waitFor();
    },
    async stop() {
      await browser.close();
      await api.stop();
    },
  };
  return studio;
}

// The same command npm test and npm start run; here so that `npx vitest run test/studio` works alone.
function buildStudioIfStale(): void {
  const build = spawnSync(process.execPath, [join(repoRoot, 'studio/build/build-studio.ts'), '--if-stale'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (build.status !== 0) throw new Error(`building Studio failed (exit ${build.status ?? build.signal})`);
}

/** The org of `email` (dev login makes it), with an openai key pointing at the fake provider. */
export async function anOrgWithAFakeOpenAiKey(api: TestApi, fake: FakeProvider, email: string): Promise<SignedIn> {
  const owner = await api.signIn(email);
  const saved = await owner.as(
    '/providers',
    post({ provider: 'openai', api_key: 'sk-test-key', base_url: fake.baseUrl }),
  );
  expect(saved.status).toBe(200);
  return owner;
}
