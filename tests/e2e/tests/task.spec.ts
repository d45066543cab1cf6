import { test, expect } from './fixtures';
import { byTestId, INSTANCE_PATH, SEED_TASK, TASK_PATH, tableReady, urls } from './helpers';

test.use({ baseURL: urls.base });

test('the task page shows the seed task in full', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto(INSTANCE_PATH);
  await tableReady(page);
  await page.locator(`[data-testid="task-row"][data-task-id="${SEED_TASK}"] a`).click();
  await expect(page).toHaveURL(new RegExp(`${TASK_PATH}$`));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Task ${SEED_TASK}`);

  const summary = byTestId(page, 'summary');
  await expect(summary.locator('[data-testid="stage"]')).toContainText('Switchover');
  await expect(summary.locator('[data-testid="source-category"]')).toContainText('Alibaba Cloud ECS');

  // Switch readiness: the seed task is at `switch`, so it is switching (with its SwitchTime), not "not ready".
  const readiness = byTestId(page, 'readiness');
  const readinessVerdict = readiness.locator('[data-testid="readiness-verdict"]');
  await expect(readinessVerdict).toHaveAttribute('data-readiness', 'switching');
  await expect(readinessVerdict).toContainText('Switching over (SwitchTime 2022-03-01 06:40:51 UTC)');
  await expect(readiness.locator('[data-missing]')).toHaveCount(0);

  // Stage timeline with the times and durations in Detail.
  const steps = byTestId(page, 'timeline-step');
  await expect(steps).toHaveCount(6);
  await expect(steps.nth(4)).toHaveAttribute('data-state', 'current');
  await expect(steps.nth(4)).toHaveAttribute('aria-current', 'step');
  await expect(steps.nth(2).locator('[data-testid="timeline-start"] time')).toHaveAttribute('datetime', '2022-02-25T09:00:29Z');
  await expect(steps.nth(2).locator('[data-testid="timeline-duration"]')).toHaveText('took 36 s');

  // Precheck checklist, by section, with advice for the warning.
  const precheck = byTestId(page, 'precheck');
  await expect(precheck.locator('[data-testid="precheck-verdict"]')).toHaveAttribute('data-verdict', 'passed_with_warnings');
  await expect(precheck.locator('[data-testid="check-section"]')).toHaveCount(7);
  await expect(precheck.locator('[data-testid="check"][data-outcome="success"]')).toHaveCount(11);
  const warning = precheck.locator('[data-testid="check"][data-outcome="warning"]');
  await expect(warning).toContainText('Check source glibc version compatible');
  await expect(warning.locator('[data-testid="check-hint"]')).toContainText('REINDEX');

  // Replication: LSNs, both named lags, ReplayLag as given, health, masked conninfo.
  const rep = byTestId(page, 'replication');
  await expect(rep.locator('[data-testid="lsn-receive-start"]')).toHaveText('0/3000000');
  await expect(rep.locator('[data-testid="lsn-received"]')).toHaveText('0/3000148');
  await expect(rep.locator('[data-testid="lsn-latest-end"]')).toHaveText('0/3000148');
  await expect(rep.locator('[data-testid="lsn-replay"]')).toHaveText('0/3000148');
  await expect(rep.locator('[data-testid="lag-a"]')).toHaveText('0 B');
  await expect(rep.locator('[data-testid="lag-b"]')).toHaveText('0 B');
  await expect(rep.getByText('Not yet replayed (received − replayed)')).toBeVisible();
  await expect(rep.getByText("Behind the source's last report (reported − replayed)")).toBeVisible();
  await expect(rep.locator('[data-testid="replay-lag"]')).toHaveText('0');
  await expect(rep.locator('[data-testid="health"]')).toHaveAttribute('data-health', 'stalled');
  await expect(rep.locator('[data-testid="since-last-message"]')).toContainText('ago');
  // The age reads in days; the exact seconds are on hover (like the bytes), not in brackets.
  const age = rep.locator('[data-testid="last-message-age"]');
  await expect(age).toHaveText(/^\d{1,3}(,\d{3})* d ago$/);
  await expect(age).toHaveAttribute('title', /^2022-03-01 06:4\d:\d\d UTC · \d{1,3}(,\d{3})+ s$/);
  await expect(rep.locator('[data-testid="since-last-message"]')).not.toContainText('(');
  await expect(rep.locator('[data-testid="seconds-since-last-message"]')).toHaveCount(0);
  const conninfo = rep.locator('[data-testid="conninfo"]');
  await expect(conninfo).toContainText('password=********');
  await expect(conninfo).not.toContainText('123456');

  // The lag chart gains a point per refresh.
  const chart = byTestId(page, 'lag-chart');
  await expect(chart).toHaveAttribute('data-samples', '1');
  await expect(chart.locator('svg polyline')).toHaveCount(2);
  await byTestId(page, 'refresh-interval').selectOption('0');
  await byTestId(page, 'refresh').click();
  await expect(chart).toHaveAttribute('data-samples', '2');
  await expect(byTestId(page, 'chart-summary')).toContainText('2 samples');

  // Raw JSON, pretty-printed and copyable, without the password.
  await page.getByText('Raw JSON').click();
  const raw = byTestId(page, 'raw-json');
  await expect(raw).toContainText(`"TaskId": ${SEED_TASK}`);
  await expect(raw).toContainText('\n  "TaskName": "362c6c7a-4d20-4eac-898c-1495ceab374c"');
  await expect(raw).not.toContainText('SourcePassword');
  await byTestId(page, 'copy-json').click();
  await expect(byTestId(page, 'copy-status')).toHaveText('Copied');
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(JSON.parse(copied).TaskId).toBe(Number(SEED_TASK));

  // Back to the list.
  await byTestId(page, 'back-to-tasks').click();
  await tableReady(page);
});

test('an unknown or malformed task ID is explained', async ({ page }) => {
  await page.goto(`${INSTANCE_PATH}/tasks/1`);
  await expect(byTestId(page, 'task-not-found')).toBeVisible();
  await page.goto(`${INSTANCE_PATH}/tasks/not-a-number`);
  await expect(byTestId(page, 'task-id-invalid')).toBeVisible();
});
