import { type Browser, chromium } from 'playwright-core';
import { ensureDebianPrograms, locateProgram } from '../support/ensure-debian-programs.ts';

/** Debian's chromium: the browser the Studio tests drive (no browser download, DESIGN.md decision 11). */
export const chromiumProgram = { program: 'chromium', debianPackage: 'chromium' };

/**
 * Headless Debian chromium under Playwright. Installed with apt-get when missing (as root, as
 * vitest's global setup does); a browser that cannot start fails the test with the reason, never
 * skips it.
 */
export async function launchChromium(): Promise<Browser> {
  ensureDebianPrograms([chromiumProgram], 'the Studio browser tests', (line) =>
    process.stderr.write(`[chromium] ${line}\n`),
  );
  const executablePath = locateProgram(chromiumProgram.program) as string;
  try {
    return await chromium.launch({
      executablePath,
      headless: true,
      // Tests run as root in CI, where chromium's own sandbox cannot start.
      chromiumSandbox: process.getuid?.() !== 0,
      timeout: 60_000,
    });
  } catch (err) {
    throw new Error(`chromium (${executablePath}) could not be started for the Studio browser tests: ${String(err)}`, {
      cause: err,
    });
  }
}
