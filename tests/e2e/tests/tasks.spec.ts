import { test, expect } from './fixtures';
import { byTestId, INSTANCE_PATH, marks, SEED_TASK, tableReady, urls } from './helpers';

test.use({ baseURL: urls.base });

test('the task table has every column, in a semantic table', async ({ page }) => {
  await page.goto(INSTANCE_PATH);
  await tableReady(page);
  const table = byTestId(page, 'task-table');
  await expect(table.locator('caption')).toHaveText(/Cloud-migration tasks/);
  await expect(table.locator('thead th')).toHaveText([
    /Task ID/, /Task name/, /Source/, /Attention/, /Stage/, /Replication state/, /Lag/, /Last message/, /Created/, /Modified/, /Switch time/, /Last hour/,
  ]);
  const seed = page.locator(`[data-testid="task-row"][data-task-id="${SEED_TASK}"]`);
  await expect(seed.locator('th[scope="row"] a')).toHaveText(SEED_TASK);
  await expect(seed.locator('[data-testid="task-name"]')).toHaveText('362c6c7a-4d20-4eac-898c-1495ceab374c');
  await expect(seed.locator('[data-testid="source"]')).toContainText('172.16.XX.XX:5432');
  await expect(seed.locator('[data-testid="source-account"]')).toHaveText('migratetest');
  await expect(seed.locator('[data-testid="source-category"]')).toHaveText('ecsOnVpc');
  // The six-step indicator: switch is step 5.
  await expect(seed.locator('.steps')).toHaveAttribute('aria-label', 'Stage 5 of 6: Switchover');
  await expect(seed.locator('.step--done')).toHaveCount(4);
  await expect(seed.locator('.step--current')).toHaveCount(1);
  await expect(seed.locator('[data-testid="replication-state"]')).toContainText('streaming');
  await expect(seed.locator('[data-testid="lag-not-replayed"]')).toHaveText('0 B');
  await expect(seed.locator('[data-testid="lag-behind-source"]')).toHaveText('0 B');
  await expect(seed.locator('[data-testid="last-message-age"]')).toContainText('ago');
  // Times in the viewer's zone, UTC on hover.
  const created = seed.locator('[data-testid="created"] time');
  await expect(created).toHaveAttribute('datetime', '2022-02-25T08:53:13Z');
  await expect(created).toHaveAttribute('title', '2022-02-25 08:53:13 UTC');
  await expect(seed.locator('[data-testid="switch-time"] time')).toHaveAttribute('datetime', '2022-03-01T06:40:51Z');
  expect(await marks(page, 'migration:table-populated')).toBeGreaterThanOrEqual(1);
});

test.describe('times in the viewer time zone', () => {
  test.use({ timezoneId: 'Asia/Jakarta' });
  test('a UTC time is shown in Jakarta time, UTC on hover', async ({ page }) => {
    await page.goto(INSTANCE_PATH);
    await tableReady(page);
    const created = page.locator(`[data-testid="task-row"][data-task-id="${SEED_TASK}"] [data-testid="created"] time`);
    await expect(created).toHaveText('2022-02-25 15:53:13');
    await expect(created).toHaveAttribute('title', '2022-02-25 08:53:13 UTC');
    await expect(byTestId(page, 'time-zone-note')).toContainText('UTC+07:00');
  });
});

test('server-side filters live in the URL and survive a reload', async ({ page }) => {
  await page.goto(INSTANCE_PATH);
  await tableReady(page);
  const requests: string[] = [];
  page.on('request', (r) => { if (r.url().includes('/api/rds/DescribeCloudMigrationResult')) requests.push(r.url()); });

  await byTestId(page, 'filter-taskId').fill(SEED_TASK);
  await byTestId(page, 'apply-filters').click();
  await expect(page).toHaveURL(new RegExp(`\\?taskId=${SEED_TASK}$`));
  await expect(byTestId(page, 'task-row')).toHaveCount(1);
  expect(requests.some((u) => u.includes(`TaskId=${SEED_TASK}`))).toBe(true);

  await page.reload();
  await expect(byTestId(page, 'task-row')).toHaveCount(1);
  await expect(byTestId(page, 'filter-taskId')).toHaveValue(SEED_TASK);

  await byTestId(page, 'filter-sourcePort').fill('port');
  await byTestId(page, 'apply-filters').click();
  await expect(byTestId(page, 'filter-error')).toContainText('whole numbers');
  await expect(page).toHaveURL(new RegExp(`\\?taskId=${SEED_TASK}$`));

  await byTestId(page, 'clear-filters').click();
  await expect(page).not.toHaveURL(/taskId/);
  await expect(byTestId(page, 'task-row')).toHaveCount(30);

  await page.goto(`${INSTANCE_PATH}?taskName=no-such-task`);
  await expect(byTestId(page, 'tasks-empty')).toHaveText('Nothing matches these filters.');
});

test('paging and page size follow the API and the URL; back and forward work', async ({ page }) => {
  await page.goto(INSTANCE_PATH);
  await tableReady(page);
  await expect(byTestId(page, 'total')).toContainText('page 1 of 2');
  await byTestId(page, 'page-next').click();
  await expect(page).toHaveURL(/\?page=2$/);
  await expect(byTestId(page, 'total')).toContainText('page 2 of 2');
  await expect(page.locator(`[data-testid="task-row"][data-task-id="${SEED_TASK}"]`)).toHaveCount(0);

  await byTestId(page, 'page-size').selectOption('10');
  await expect(page).toHaveURL(/\?size=10$/);
  await expect(byTestId(page, 'task-row')).toHaveCount(10);
  await expect(byTestId(page, 'total')).toContainText('page 1 of 5');

  await page.goBack();
  await expect(page).toHaveURL(/\?page=2$/);
  await expect(byTestId(page, 'total')).toContainText('page 2 of 2');
  await page.goForward();
  await expect(byTestId(page, 'task-row')).toHaveCount(10);
});

test('sorting orders the rows of this page only, and says so', async ({ page }) => {
  await page.goto(INSTANCE_PATH);
  await tableReady(page);
  await expect(page.locator('#sort-note')).toContainText('this page only');
  const requests: string[] = [];
  page.on('request', (r) => { if (r.url().includes('/api/rds/')) requests.push(r.url()); });

  const header = page.locator('th', { has: byTestId(page, 'sort-stage') });
  await expect(header).toHaveAttribute('aria-sort', 'none');
  await byTestId(page, 'sort-stage').click();
  await expect(page).toHaveURL(/\?sort=stage$/);
  await expect(header).toHaveAttribute('aria-sort', 'ascending');
  const order = ['precheck', 'basebackup', 'startup', 'increment', 'switch', 'success'];
  const ranks = async () =>
    (await page.locator('[data-testid="task-row"] [data-stage]').evaluateAll((els) => els.map((e) => e.getAttribute('data-stage'))))
      .map((s) => order.indexOf(s ?? ''));
  const asc = await ranks();
  expect(asc).toEqual([...asc].sort((a, b) => a - b));

  await byTestId(page, 'sort-stage').click();
  await expect(header).toHaveAttribute('aria-sort', 'descending');
  const desc = await ranks();
  expect(desc).toEqual([...desc].sort((a, b) => b - a));
  // Sorting never asks the service again.
  expect(requests).toEqual([]);

  await byTestId(page, 'sort-stage').click();
  await expect(page).not.toHaveURL(/sort=/);
  await expect(header).toHaveAttribute('aria-sort', 'none');
});

test('the prechecks tab lists precheck reports with their checklist', async ({ page }) => {
  await page.goto(INSTANCE_PATH);
  await tableReady(page);
  await byTestId(page, 'tab-prechecks').click();
  await expect(page).toHaveURL(/\?tab=prechecks$/);
  await expect(byTestId(page, 'tab-prechecks')).toHaveAttribute('aria-current', 'page');
  const table = byTestId(page, 'precheck-table');
  await expect(table.locator('[data-testid="precheck-row"]').first()).toBeVisible();
  await expect(table.locator('thead th')).toHaveText([/Task ID/, /Task name/, /Source/, /Result/, /Created/, /Modified/, /Checks/]);
  await expect(byTestId(page, 'page-size').locator('option')).toHaveText(['30', '50', '100']);

  // A failed report: its checklist shows the failure with advice.
  const failed = table.locator('[data-testid="precheck-row"]', { has: page.locator('[data-verdict="failed"]') }).first();
  await expect(failed).toBeVisible();
  const toggle = failed.locator('[data-testid="toggle-checks"]');
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  const checklist = page.locator(`#${await toggle.getAttribute('aria-controls')} [data-testid="checklist"]`);
  await expect(checklist.locator('[data-testid="precheck-verdict"]')).toHaveAttribute('data-verdict', 'failed');
  const failure = checklist.locator('[data-testid="check"][data-outcome="failure"]');
  await expect(failure).toHaveCount(1);
  await expect(failure.locator('[data-testid="check-hint"]')).not.toBeEmpty();
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');

  // Filters apply to prechecks too.
  await byTestId(page, 'sort-taskId').click();
  await expect(page).toHaveURL(/tab=prechecks&sort=taskId/);
  await byTestId(page, 'tab-tasks').click();
  await expect(page).toHaveURL(new RegExp(`${INSTANCE_PATH}$`));
  await tableReady(page);
});
