/**
 * A real browser for tests: Debian's chromium (installed by `tools/browser/setup`, which `npm test` runs) driven by
 * playwright-core. Playwright's own browser builds come from a download these machines cannot reach, so the
 * executable is given explicitly, with a fresh profile per launch.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Headless, no sandbox (root in CI), and nothing that would reach out to the network by itself. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

/** Where tests keep what a person may want to look at afterwards (gitignored). */
export const ARTIFACTS_DIR = fileURLToPath(new URL('../../test-results/', import.meta.url));

export interface LaunchedBrowser {
  readonly context: BrowserContext;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

/**
 * @example
 * const browser = await launchChromium({ width: 1400, height: 1000 });
 * const page = await browser.context.newPage();
 */
export async function launchChromium(viewport = { width: 1400, height: 1000 }): Promise<LaunchedBrowser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is missing: run tools/browser/setup`);
  const profile = mkdtempSync(join(tmpdir(), 'ridestream-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS],
    viewport,
  });
  return {
    context,
    async close() {
      try {
        await context.close();
      } finally {
        rmSync(profile, { recursive: true, force: true });
      }
    },
  };
}

/** The path of an artifact under `test-results/`, its folder created. */
export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return join(ARTIFACTS_DIR, name);
}
