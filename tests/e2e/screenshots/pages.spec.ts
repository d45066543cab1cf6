import { test, expect, type Page } from '@playwright/test';
import path from 'node:path';

// One PNG per page and variant, into SHOTS_DIR (docs/screenshots/ by default).
const dir = process.env.SHOTS_DIR ?? path.resolve(__dirname, '../../../docs/screenshots');
const INSTANCE = '/regions/cn-hangzhou/instances/pgm-bp102g323jd4demo';

type Variant = { name: string; scheme: 'light' | 'dark'; locale: string; width: number };
const variants: Variant[] = [
  { name: 'light', scheme: 'light', locale: 'en-US', width: 1280 },
  { name: 'dark', scheme: 'dark', locale: 'en-US', width: 1280 },
  { name: 'id', scheme: 'light', locale: 'id-ID', width: 1280 },
  { name: 'mobile', scheme: 'light', locale: 'en-US', width: 360 },
];

const pages: { name: string; path: string; ready: (page: Page) => Promise<void> }[] = [
  {
    name: 'picker',
    path: '/',
    ready: async (page) => {
      await expect(page.locator('[data-testid="instance-row"]').first()).toBeVisible();
      // The demo watches its instances, so the home page opens with the attention view.
      await expect(page.locator('[data-testid="attention-instance-row"]').first()).toBeVisible();
    },
  },
  {
    name: 'tasks',
    path: INSTANCE,
    ready: async (page) => {
      await expect(page.locator('[data-testid="task-row"]').first()).toBeVisible();
    },
  },
  {
    name: 'prechecks',
    path: `${INSTANCE}?tab=prechecks`,
    ready: async (page) => {
      const failed = page.locator('[data-testid="precheck-row"]', { has: page.locator('[data-verdict="failed"]') }).first();
      await failed.locator('[data-testid="toggle-checks"]').click();
      await expect(page.locator('[data-testid="checklist"] [data-testid="check"]').first()).toBeVisible();
    },
  },
  {
    // A task that is replicating with some lag, so that the lag chart has something to show.
    name: 'task',
    path: INSTANCE,
    ready: async (page) => {
      const lagging = page
        .locator('[data-testid="task-row"]', { has: page.locator('[data-testid="lag-not-replayed"][data-bytes]:not([data-bytes="0"])') })
        .first();
      await lagging.locator('[data-testid="task-link"]').click();
      await expect(page.locator('[data-testid="summary"]')).toBeVisible();
      for (let n = 2; n <= 6; n++) {
        await page.waitForTimeout(600);
        await page.locator('[data-testid="refresh"]').click();
        await expect(page.locator('[data-testid="lag-chart"]')).toHaveAttribute('data-samples', String(n));
      }
    },
  },
  {
    name: 'watch',
    path: '/watch',
    ready: async (page) => {
      await expect(page.locator('[data-testid="watch-row"]').first()).toBeVisible();
    },
  },
  {
    name: 'alerts',
    path: '/alerts',
    ready: async (page) => {
      await expect(page.locator('[data-testid="rules-table"]')).toBeVisible();
    },
  },
];

for (const v of variants) {
  test.describe(v.name, () => {
    test.use({ colorScheme: v.scheme, locale: v.locale, viewport: { width: v.width, height: 900 } });
    for (const p of pages) {
      test(p.name, async ({ page }) => {
        await page.goto(p.path);
        await p.ready(page);
        await page.mouse.move(0, 0);
        await page.screenshot({ path: path.join(dir, `${p.name}-${v.name}.png`), fullPage: true });
      });
    }
  });
}
