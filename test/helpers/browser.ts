/**
 * A headless Chromium for the browser tests: Debian's package at /usr/bin/chromium (CI installs
 * it; `npx playwright install` is not used), driven by playwright-core. Where it is missing the
 * suites skip with the reason, except under CI=true, where a missing browser is a broken setup.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.EARSHOT_CHROMIUM ?? '/usr/bin/chromium';

const ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-gpu',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Why the browser suites cannot run here, or null when they can. Throws under CI=true. */
export function browserSkipReason(): string | null {
  if (existsSync(CHROMIUM_PATH)) return null;
  const reason = `Chromium not found at ${CHROMIUM_PATH} (apt-get install -y chromium, or set EARSHOT_CHROMIUM)`;
  if (process.env.CI === 'true') throw new Error(`Browser suites cannot run under CI=true: ${reason}`);
  return reason;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ARGS });
}
