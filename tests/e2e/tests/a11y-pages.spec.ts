// axe on every page of the app, in both languages and both themes, at 360 px: the picker, the
// task table (with its history sparklines), the precheck list with a checklist open, the task
// page (with its lag chart, event log and raw JSON), the watch page (read only and as an admin)
// and the not-found page. Against the proxy with a history store filled in advance
// (history-stack.ts), so the history views have something to show. No serious or critical
// violation is allowed.
import { test, expect, type Page } from './fixtures';
import AxeBuilder from '@axe-core/playwright';
import { HistoryStack, INSTANCE, REGION, TASK } from './history-stack';

const INSTANCE_PATH = `/regions/${REGION}/instances/${INSTANCE}`;
const TASK_PATH = `${INSTANCE_PATH}/tasks/${TASK}`;
const byTestId = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`);

async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')})`);
}

/** Opens every page in turn and checks each with axe. */
async function everyPage(page: Page, url: string, lang: 'en' | 'id') {
  await page.goto(`${url}/`);
  await expect(page.locator('html')).toHaveAttribute('lang', lang);
  await expect(byTestId(page, 'instance-row').first()).toBeVisible();
  expect(await seriousViolations(page), 'picker').toEqual([]);

  await page.goto(`${url}${INSTANCE_PATH}`);
  await expect(page.locator(`[data-testid="task-row"][data-task-id="${TASK}"] [data-testid="sparkline"]`)).toBeVisible();
  expect(await seriousViolations(page), 'task table with sparklines').toEqual([]);

  await page.goto(`${url}${INSTANCE_PATH}?tab=prechecks`);
  await byTestId(page, 'toggle-checks').first().click();
  await expect(byTestId(page, 'checklist').first()).toBeVisible();
  expect(await seriousViolations(page), 'prechecks').toEqual([]);

  await page.goto(`${url}${TASK_PATH}`);
  await expect(byTestId(page, 'summary')).toBeVisible();
  await expect(byTestId(page, 'history-chart')).toBeVisible();
  await expect(byTestId(page, 'event-row').first()).toBeVisible();
  await byTestId(page, 'raw').locator('summary').click();
  await expect(byTestId(page, 'raw-json')).toBeVisible();
  expect(await seriousViolations(page), 'task page with history').toEqual([]);

  await page.goto(`${url}/watch`);
  await expect(page.locator('[data-testid="watch-row"]').first()).toBeVisible();
  expect(await seriousViolations(page), 'watch page').toEqual([]);

  await page.goto(`${url}/no/such/page`);
  await expect(byTestId(page, 'not-found')).toBeVisible();
  expect(await seriousViolations(page), 'not found').toEqual([]);
}

test.describe('every page, both languages and themes, at 360 px', () => {
  test.use({ viewport: { width: 360, height: 780 } });
  let stack: HistoryStack;
  test.beforeAll(async () => {
    stack = await HistoryStack.start('seeded');
  });
  test.afterAll(async () => {
    await stack?.stop();
  });

  for (const lang of ['en', 'id'] as const) {
    for (const scheme of ['light', 'dark'] as const) {
      test(`axe: no serious or critical violations (${lang}, ${scheme})`, async ({ page }) => {
        // Six pages, each loaded and analysed: more than the default 30 s on a busy machine.
        test.setTimeout(150_000);
        await page.emulateMedia({ colorScheme: scheme });
        await page.addInitScript((l) => localStorage.setItem('migration-dashboard.lang', l), lang);
        await everyPage(page, stack.url, lang);
      });
    }
  }
});

test.describe('the watch page as an admin (add form and remove buttons), at 360 px', () => {
  test.use({
    viewport: { width: 360, height: 780 },
    extraHTTPHeaders: { 'X-Forwarded-User': 'alice', 'X-Forwarded-Groups': 'dba' },
  });
  let stack: HistoryStack;
  test.beforeAll(async () => {
    stack = await HistoryStack.start('seeded', [
      '--auth', 'trusted-header', '--trusted-proxies', '127.0.0.1/32',
      '--groups-header', 'X-Forwarded-Groups', '--admin-group', 'dba',
    ]);
  });
  test.afterAll(async () => {
    await stack?.stop();
  });

  for (const scheme of ['light', 'dark'] as const) {
    test(`axe: no serious or critical violations (${scheme})`, async ({ page }) => {
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(`${stack.url}/watch`);
      await expect(byTestId(page, 'watch-add')).toBeVisible();
      await expect(byTestId(page, 'watch-remove').first()).toBeVisible();
      expect(await seriousViolations(page), 'watch page (admin)').toEqual([]);
    });
  }
});
