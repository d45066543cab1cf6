import { test, expect, type Page } from './fixtures';
import AxeBuilder from '@axe-core/playwright';
import { byTestId, INSTANCE_PATH, SEED_TASK, tableReady, TASK_PATH, urls } from './helpers';

test.use({ baseURL: urls.base });

async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')})`);
}

for (const scheme of ['light', 'dark'] as const) {
  test(`axe finds no serious or critical violations (${scheme})`, async ({ page }) => {
    // Six pages through axe: more than the default 30 s on a loaded machine.
    test.setTimeout(90_000);
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto('/');
    await expect(byTestId(page, 'instance-row').first()).toBeVisible();
    expect(await seriousViolations(page), 'picker').toEqual([]);

    await page.goto(INSTANCE_PATH);
    await tableReady(page);
    expect(await seriousViolations(page), 'task table').toEqual([]);

    await page.goto(`${INSTANCE_PATH}?tab=prechecks`);
    await byTestId(page, 'toggle-checks').first().click();
    await expect(byTestId(page, 'checklist').first()).toBeVisible();
    expect(await seriousViolations(page), 'prechecks').toEqual([]);

    await page.goto(TASK_PATH);
    await expect(byTestId(page, 'summary')).toBeVisible();
    // The history panel (chart, catch-up, event log) and the timeline with observed times.
    await expect(byTestId(page, 'history').locator('[data-testid="history-chart"], [data-testid="history-empty"]')).toBeVisible();
    await page.getByText('Raw JSON').click();
    expect(await seriousViolations(page), 'task page').toEqual([]);

    await page.goto('/watch');
    await expect(byTestId(page, 'watch-row').first()).toBeVisible();
    expect(await seriousViolations(page), 'watch page').toEqual([]);
  });
}

test('axe finds no serious or critical violations on the error panel', async ({ page }) => {
  test.skip(!urls.failing, 'needs the failing proxy (scripts/e2e.sh)');
  await page.goto(`${urls.failing}${INSTANCE_PATH}`);
  await expect(byTestId(page, 'error-panel')).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
});

test('keyboard: skip link, sorting, a task link and back, with a sensible focus order', async ({ page }) => {
  await page.goto(INSTANCE_PATH);
  await tableReady(page);
  await page.keyboard.press('Tab');
  await expect(page.locator(':focus')).toHaveText('Skip to main content');
  await page.keyboard.press('Enter');
  await expect(page.locator('main')).toBeFocused();

  // Onwards from <main>: breadcrumb, tabs, filters, then the refresh controls.
  const order: string[] = [];
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Tab');
    order.push(await page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName ?? ''));
  }
  expect(order.slice(0, 3)).toEqual(['crumb-home', 'tab-tasks', 'tab-prechecks']);
  expect(order.indexOf('filter-taskId')).toBeLessThan(order.indexOf('apply-filters'));
  expect(order.indexOf('apply-filters')).toBeLessThan(order.indexOf('refresh'));

  // Sort by keyboard: focus stays on the column's button.
  const sort = byTestId(page, 'sort-stage');
  await sort.focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/sort=stage/);
  await expect(byTestId(page, 'sort-stage')).toBeFocused();
  await page.keyboard.press('Space');
  await expect(page).toHaveURL(/sort=-stage/);
  await expect(byTestId(page, 'sort-stage')).toBeFocused();

  // Open a task with Enter: the new page's content gets focus.
  await page.locator(`[data-testid="task-row"][data-task-id="${SEED_TASK}"] a`).focus();
  await page.keyboard.press('Enter');
  await expect(byTestId(page, 'summary')).toBeVisible();
  await expect(page.locator('main')).toBeFocused();
  await page.goBack();
  await tableReady(page);
  await expect(page).toHaveURL(/sort=-stage/);
});
