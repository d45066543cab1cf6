import { test, expect, type Page } from './fixtures';
import { byTestId, INSTANCE_PATH, tableReady, TASK_PATH, urls } from './helpers';

test('an upstream 5xx is explained in plain language with its Code, RequestId and a retry', async ({ page }) => {
  test.skip(!urls.failing, 'needs the failing proxy (scripts/e2e.sh)');
  await page.goto(`${urls.failing}${INSTANCE_PATH}`);
  const panel = byTestId(page, 'error-panel');
  await expect(panel).toBeVisible();
  await expect(panel).toHaveAttribute('role', 'alert');
  await expect(panel.locator('[data-testid="error-code"]')).toHaveText(/^(InternalError|ServiceUnavailable)$/);
  await expect(panel.locator('[data-testid="error-request-id"]')).toHaveText(/\S{8,}/);
  await expect(panel.locator('[data-testid="error-status"]')).toHaveText(/^50[03]$/);
  const english = await panel.locator('[data-testid="error-message"]').textContent();
  expect(english?.length).toBeGreaterThan(20);

  const retry = panel.locator('[data-testid="retry"]');
  const calls: string[] = [];
  page.on('request', (r) => { if (r.url().includes('/api/rds/')) calls.push(r.url()); });
  await retry.click();
  await expect.poll(() => calls.length).toBeGreaterThan(0);
  await expect(byTestId(page, 'error-panel')).toBeVisible();

  // The same error in Bahasa Indonesia.
  await byTestId(page, 'lang-select').selectOption('id');
  await expect(page.locator('html')).toHaveAttribute('lang', 'id');
  await expect(byTestId(page, 'error-message')).not.toHaveText(english ?? '');
  await expect(page.getByRole('button', { name: 'Coba lagi' })).toBeVisible();
  await expect(byTestId(page, 'error-panel').getByText('Kode')).toBeVisible();
});

test('throttling is explained as such, in both languages', async ({ page }) => {
  test.skip(!urls.throttled, 'needs the throttled proxy (scripts/e2e.sh)');
  await page.goto(`${urls.throttled}${TASK_PATH}`);
  const panel = byTestId(page, 'error-panel');
  await expect(panel.locator('[data-testid="error-code"]')).toHaveText('Throttling.User');
  await expect(panel.locator('[data-testid="error-message"]')).toContainText(/request/i);
  await byTestId(page, 'lang-select').selectOption('id');
  await expect(panel.locator('[data-testid="error-message"]')).toContainText(/permintaan/i);
});

async function untilTable(page: Page) {
  for (let i = 0; i < 20; i++) {
    if (await byTestId(page, 'task-row').first().isVisible()) return;
    const retry = byTestId(page, 'retry');
    if (await retry.isVisible()) await retry.click();
    await page.waitForTimeout(300);
  }
  await tableReady(page);
}

test('when the proxy serves a stale copy the page says so and keeps its rows', async ({ page }) => {
  test.skip(!urls.flaky, 'needs the flaky proxy (scripts/e2e.sh)');
  await page.goto(`${urls.flaky}${INSTANCE_PATH}`);
  await byTestId(page, 'refresh-interval').selectOption('0');
  await untilTable(page);
  const badge = byTestId(page, 'stale-badge');
  for (let i = 0; i < 30 && !(await badge.isVisible()); i++) {
    await byTestId(page, 'refresh').click();
    await page.waitForTimeout(250);
  }
  await expect(badge).toBeVisible();
  await expect(byTestId(page, 'stale-notice')).toContainText('showing a saved answer');
  await expect(byTestId(page, 'task-row').first()).toBeVisible();
});

test('a failed refresh keeps the last data on screen and says it is stale', async ({ page }) => {
  await page.goto(`${urls.base}${INSTANCE_PATH}`);
  await tableReady(page);
  await byTestId(page, 'refresh-interval').selectOption('0');
  const rows = await byTestId(page, 'task-row').count();

  await page.route('**/api/rds/**', (route) => route.abort('connectionrefused'));
  await byTestId(page, 'refresh').click();
  const notice = byTestId(page, 'refresh-error');
  await expect(notice).toBeVisible();
  await expect(notice).toContainText('Could not refresh');
  await expect(notice.locator('[data-testid="error-message"]')).toContainText('could not reach');
  await expect(byTestId(page, 'stale-badge')).toBeVisible();
  await expect(byTestId(page, 'announcer')).toContainText('Refresh failed');
  await expect(byTestId(page, 'task-row')).toHaveCount(rows);

  await page.unroute('**/api/rds/**');
  await notice.locator('[data-testid="retry"]').click();
  await expect(notice).toBeHidden();
  await expect(byTestId(page, 'stale-badge')).toBeHidden();
  await expect(byTestId(page, 'task-row')).toHaveCount(rows);
});
