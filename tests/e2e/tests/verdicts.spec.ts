import { test, expect, type Page } from './fixtures';
import { byTestId, INSTANCE_PATH, SEED_TASK, TASK_PATH, tableReady, urls } from './helpers';

// What the verdicts say, on the demo instance's tasks (found by their attributes: the simulator
// adds tasks as time passes, so their IDs move).
test.use({ baseURL: urls.base });

/** Opens the first task row holding every one of `selectors` and waits for its page. */
async function openTask(page: Page, ...selectors: string[]): Promise<void> {
  await page.goto(INSTANCE_PATH);
  await tableReady(page);
  let row = page.locator('[data-testid="task-row"]');
  for (const s of selectors) row = row.filter({ has: page.locator(s) });
  row = row.first();
  await expect(row).toBeVisible();
  await row.locator('[data-testid="task-link"]').click();
  await expect(byTestId(page, 'timeline')).toBeVisible();
}

test('health and readiness state the figures they judged, and agree', async ({ page }) => {
  await page.goto(TASK_PATH);
  const sentence = byTestId(page, 'health-sentence');
  // The seed's stream last spoke years ago: stale, with the age in days, not seconds.
  await expect(byTestId(page, 'health')).toHaveAttribute('data-health', 'stalled');
  await expect(sentence).toContainText(/Stale stream: no message from the source for \d{1,3}(,\d{3})* d \(threshold 1 min 30 s\)/);
  await expect(byTestId(page, 'readiness-verdict')).toHaveAttribute('data-readiness', 'switching');

  // A streaming task: its health sentence states both lag figures (or that nothing is left).
  await openTask(page, '[data-state="streaming"]', '[data-stage="increment"]');
  const health = await byTestId(page, 'health').getAttribute('data-health');
  const readiness = byTestId(page, 'readiness-verdict');
  if (health === 'healthy') {
    await expect(byTestId(page, 'health-sentence')).toContainText(/Streaming: (everything received has been replayed|.* received but not yet replayed, .* behind the source's last report, within the 16(\.0)? MiB lag threshold)/);
  }
  // Ready "on this sample" or for how long by the watcher's history; never a bare "Ready".
  const code = await readiness.getAttribute('data-readiness');
  expect(['ready_on_this_sample', 'ready_for_history', 'not_ready']).toContain(code);
  if (code === 'ready_on_this_sample') {
    await expect(readiness).toContainText('Ready to switch over on this sample.');
  } else if (code === 'ready_for_history') {
    await expect(readiness).toContainText(/Ready to switch over for (at least )?the last .+, by the watcher's history\./);
  } else {
    await expect(byTestId(page, 'missing').first()).toBeVisible();
  }
  // Byte figures in the sentences read in IEC units with the exact count beside them.
  const missingText = (await byTestId(page, 'readiness').textContent()) ?? '';
  expect(missingText).not.toMatch(/\d{4,} bytes/);
});

test('a completed task says it switched over, with its SwitchTime', async ({ page }) => {
  await openTask(page, '[data-stage="success"]');
  const readiness = byTestId(page, 'readiness-verdict');
  await expect(readiness).toHaveAttribute('data-readiness', 'switched_over');
  await expect(readiness).toContainText(/Switched over at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\./);
  await expect(readiness).not.toContainText('Not ready');
  // Every stage done; the switchover's start is its SwitchTime.
  const steps = byTestId(page, 'timeline-step');
  await expect(page.locator('[data-testid="timeline-step"][data-state="done"]')).toHaveCount(6);
  await expect(steps.nth(4).locator('[data-testid="timeline-start"]')).toContainText('SwitchTime');
  await expect(steps.nth(4).locator('[data-testid="timeline-duration"]')).toContainText('took');
});

test('the full backup shows its start, progress and end, and its duration', async ({ page }) => {
  await openTask(page, '[data-stage="increment"]');
  const backup = page.locator('[data-testid="timeline-step"][data-stage="basebackup"]');
  await expect(backup).toHaveAttribute('data-state', 'done');
  await expect(backup.locator('[data-testid="timeline-start"] time')).toHaveCount(1);
  await expect(backup.locator('[data-testid="timeline-duration"]')).toContainText(/^took /);
  const lines = backup.locator('[data-testid="backup-progress"]');
  await expect(lines.first()).toHaveAttribute('data-kind', 'start');
  await expect(lines.last()).toHaveAttribute('data-kind', 'end');
  await expect(backup.locator('[data-kind="progress"]').first()).toContainText(/\d+ %: [\d.]+ GiB of [\d.]+ GiB/);
  // Each stage with both ends known says how long it took.
  const done = page.locator('[data-testid="timeline-step"][data-state="done"]');
  for (const step of await done.all()) {
    const ends = await step.locator('[data-testid="timeline-end"]').count();
    const starts = await step.locator('[data-testid="timeline-start"]').count();
    if (ends && starts) await expect(step.locator('[data-testid="timeline-duration"]')).toContainText('took');
  }
});

test('a failed precheck says so, which check, and that the rest did not run', async ({ page }) => {
  await page.goto(INSTANCE_PATH);
  await tableReady(page);
  const cell = page.locator('[data-testid="task-row"] [data-attention="precheck_failed"]').first();
  await expect(cell).toHaveText('Precheck failed');
  await expect(cell).toHaveAttribute('title', /^The precheck failed at Check \w+ \w+/);
  await openTask(page, '[data-attention="precheck_failed"]');
  const precheck = page.locator('[data-testid="timeline-step"][data-stage="precheck"]');
  await expect(precheck).toHaveAttribute('data-state', 'failed');
  await expect(precheck).toContainText('failed');
  await expect(precheck).not.toContainText('running for');
  const summary = byTestId(page, 'precheck-summary');
  await expect(summary).toContainText(/^Failed at Check \w+ \w+/);
  await expect(summary).toContainText('the rest did not run');
  await expect(byTestId(page, 'precheck-verdict')).toHaveAttribute('data-verdict', 'failed');
});

test('the attention column marks stale, disconnected and failed tasks, in both languages', async ({ page }) => {
  await page.goto(INSTANCE_PATH);
  await tableReady(page);
  await expect(page.locator('thead th')).toContainText(['Attention']);
  const seed = page.locator(`[data-testid="task-row"][data-task-id="${SEED_TASK}"] [data-testid="attention"] span`);
  await expect(seed).toHaveAttribute('data-attention', 'stale_stream');
  await expect(seed).toHaveAttribute('data-severity', 'critical');
  await expect(seed).toHaveAttribute('title', /No message from the source for [\d,]+ d/);
  const disconnected = page.locator('[data-testid="task-row"]', { has: page.locator('[data-state="disconnect"]') }).first();
  await expect(disconnected.locator('[data-attention]')).toHaveAttribute('data-attention', 'disconnected');
  // Sorting by attention puts the critical rows first.
  await byTestId(page, 'sort-attention').click();
  await expect(page).toHaveURL(/sort=attention/);
  await expect(page.locator('[data-testid="task-row"]').first().locator('[data-severity]')).toHaveAttribute('data-severity', 'critical');
  // In Indonesian, the same marks in its words.
  await byTestId(page, 'lang-select').selectOption('id');
  await expect(page.locator('th', { has: byTestId(page, 'sort-attention') })).toContainText('Perhatian');
  await expect(seed).toHaveText('Aliran macet');
  await expect(seed).toHaveAttribute('title', /Tidak ada pesan dari sumber selama [\d.]+ hari/);
  await byTestId(page, 'lang-select').selectOption('en');
});
