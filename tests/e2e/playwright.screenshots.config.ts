import { defineConfig } from '@playwright/test';
import base from './playwright.config';

// `make screenshots` (scripts/screenshots.sh): the same browser set-up as the tests, but only
// the screenshot "tests", which save PNGs into docs/screenshots/.
export default defineConfig({
  ...base,
  testDir: './screenshots',
  workers: 1,
  timeout: 60_000,
});
