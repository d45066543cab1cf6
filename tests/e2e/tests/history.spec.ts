// The history views against the real proxy with a history store filled in advance
// (history-stack.ts): the task page's chart, catch-up, stages, event log and export; the
// instance page's sparklines and "changed since your last visit" marks; the watch page, read
// only and for an admin; and each view's message when there is no history.
import { test, expect, type Locator, type Page } from './fixtures';
import { HistoryStack, INSTANCE, PLANTED, REGION, TASK } from './history-stack';

const INSTANCE_PATH = `/regions/${REGION}/instances/${INSTANCE}`;
const TASK_PATH = `${INSTANCE_PATH}/tasks/${TASK}`;
const byTestId = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`);

/**
 * Opens, one after another, the demo's streaming tasks in increment, and for each one that is
 * ready to switch over on this sample (once the history panel has answered) calls `check` with
 * its readiness verdict, until `check` says it is done. Fails if no task was ready or none did.
 */
async function forReadyTasks(page: Page, base: string, check: (verdict: Locator) => Promise<boolean>) {
  await page.goto(`${base}${INSTANCE_PATH}`);
  await expect(page.locator('[data-testid="task-row"]').first()).toBeVisible();
  const ids = await page
    .locator('[data-testid="task-row"]')
    .filter({ has: page.locator('[data-stage="increment"]') })
    .filter({ has: page.locator('[data-state="streaming"]') })
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-task-id') ?? ''));
  let ready = 0;
  for (const id of ids) {
    await page.goto(`${base}${INSTANCE_PATH}/tasks/${id}`);
    const verdict = byTestId(page, 'readiness-verdict');
    await expect(verdict).toBeVisible();
    await expect(byTestId(page, 'history').locator('[data-testid="history-loading"]')).toHaveCount(0);
    await expect(byTestId(page, 'history').locator('.panel__body > :not(nav)').first()).toBeVisible();
    if ((await verdict.getAttribute('data-ready')) !== 'true') continue;
    ready += 1;
    if (await check(verdict)) return;
  }
  throw new Error(`looked at ${ids.length} streaming tasks, ${ready} ready on this sample: none passed`);
}

test('a ready task on the watched demo says for how long it has been ready, by the history, in both languages', async ({ page }) => {
  test.setTimeout(90_000);
  // The demo proxy (scripts/e2e.sh) watches the demo instance from start-up. Its tasks' lag is a
  // sawtooth, so readiness flips every few minutes, and between a flip and the watcher's next
  // poll the history may not agree with this sample yet: then the page says "on this sample".
  const base = process.env.BASE_URL ?? 'http://127.0.0.1:8080';
  await forReadyTasks(page, base, async (verdict) => {
    const code = await verdict.getAttribute('data-readiness');
    expect(['ready_for_history', 'ready_on_this_sample']).toContain(code);
    if (code !== 'ready_for_history') return false;
    // Health and readiness judge the same figures: a ready task is healthy with nothing left.
    await expect(byTestId(page, 'health')).toHaveAttribute('data-health', 'healthy');
    await expect(byTestId(page, 'health-sentence')).toContainText('everything received has been replayed');
    await expect(verdict).toHaveText(/^✓ Ready to switch over for (at least )?the last \d.*, by the watcher's history\.$/);
    await byTestId(page, 'lang-select').selectOption('id');
    await expect(verdict).toHaveText(/^✓ Siap beralih (sedikitnya )?selama \d.* terakhir, menurut riwayat pemantau\.$/);
    await byTestId(page, 'lang-select').selectOption('en');
    return true;
  });
});

test.describe('with history', () => {
  let stack: HistoryStack;
  test.beforeAll(async () => {
    stack = await HistoryStack.start('seeded');
  });
  test.afterAll(async () => {
    await stack?.stop();
  });

  test('the task page charts the lag over the chosen range with stage markers and disconnect bands', async ({ page }) => {
    await page.goto(`${stack.url}${TASK_PATH}`);
    // The live panels are there as always.
    await expect(byTestId(page, 'summary')).toBeVisible();
    const history = byTestId(page, 'history');
    const chart = history.locator('[data-testid="history-chart"]');
    await expect(chart).toBeVisible();
    // 24 h by default: one stage change (increment → switch) and one disconnect in range.
    await expect(byTestId(page, 'range-24h')).toHaveAttribute('aria-current', 'page');
    await expect(chart.locator('[data-testid="stage-marker"]')).toHaveCount(1);
    await expect(chart.locator('[data-testid="stage-marker"] title')).toHaveText('increment → switch');
    await expect(chart.locator('[data-testid="disconnect-band"]')).toHaveCount(1);
    expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThan(100);
    expect(Number(await chart.getAttribute('data-points'))).toBeLessThanOrEqual(500);
    await expect(byTestId(page, 'longest-disconnect')).toContainText('Longest disconnect in this range: lasted 9 min to 11 min');

    // The catch-up rate and the ETA, said plainly.
    const catchUp = byTestId(page, 'catch-up');
    await expect(catchUp).toHaveAttribute('data-trend', 'shrinking');
    await expect(catchUp).toContainText('Lag is shrinking by');
    await expect(catchUp).toContainText('reaches zero in about');

    // The stage timeline takes the watcher's times where the task's log has none: the seed's
    // full backup began between two polls (08:55 and 08:56 UTC on its own day), so precheck's
    // end and the backup's start are that range, and their durations carry it. No separate list.
    const backup = page.locator('[data-testid="timeline-step"][data-stage="basebackup"]');
    const backupStart = backup.locator('[data-testid="timeline-start"]');
    await expect(backupStart).toHaveAttribute('data-source', 'observed');
    await expect(backupStart).toHaveAttribute('data-after', '2022-02-25T08:55:00Z');
    await expect(backupStart).toHaveAttribute('data-at', '2022-02-25T08:56:00Z');
    await expect(backupStart).toHaveText(/^started between 2022-02-25 \d\d:55:00 and \d\d:56:00 \(observed by the watcher\)$/);
    await expect(backup.locator('[data-testid="timeline-duration"]')).toHaveText('lasted 4 min 29 s to 5 min 29 s');
    const precheck = page.locator('[data-testid="timeline-step"][data-stage="precheck"]');
    await expect(precheck.locator('[data-testid="timeline-end"]')).toHaveAttribute('data-source', 'observed');
    await expect(precheck.locator('[data-testid="timeline-duration"]')).toHaveText('lasted 1 min 47 s to 2 min 47 s');
    // Every stage whose start and end are known says how long it took.
    for (const step of await page.locator('[data-testid="timeline-step"]').all()) {
      const known = (await step.locator('[data-testid="timeline-start"]').count()) * (await step.locator('[data-testid="timeline-end"]').count());
      if (known) await expect(step.locator('[data-testid="timeline-duration"]')).toHaveText(/^(took|lasted) /);
    }
    await expect(page.locator('[data-testid="observed-stage"], [data-testid="observed-stages"]')).toHaveCount(0);

    // The event log, newest first.
    const events = byTestId(page, 'event-row');
    await expect(events.first()).toHaveAttribute('data-kind', 'stage_changed');
    await expect(events.first()).toContainText('increment → switch');

    // 1 h: the disconnect (3 h ago) is out of range; 7 d: both stage changes and the masked log line.
    await byTestId(page, 'range-1h').click();
    await expect(page).toHaveURL(/range=1h$/);
    await expect(chart.locator('[data-testid="disconnect-band"]')).toHaveCount(0);
    await expect(byTestId(page, 'history-chart').locator('[data-testid="stage-marker"]')).toHaveCount(1);
    await byTestId(page, 'range-7d').click();
    await expect(byTestId(page, 'history-chart').locator('[data-testid="stage-marker"]')).toHaveCount(2);
    await expect(page.locator('[data-testid="event-row"][data-kind="detail_line"]')).toContainText('database by admin:');
    await byTestId(page, 'range-all').click();
    await expect(byTestId(page, 'history-chart')).toBeVisible();
    expect(await page.content()).not.toContain(PLANTED);
  });

  test('the catch-up, the chart and the observed stage times follow the language', async ({ page }) => {
    await page.goto(`${stack.url}${TASK_PATH}?range=6h`);
    await expect(byTestId(page, 'catch-up')).toContainText('Lag is shrinking');
    await byTestId(page, 'lang-select').selectOption('id');
    // Lag is "ketertinggalan"; "Jeda" is the refresh's Pause.
    await expect(byTestId(page, 'catch-up')).toContainText('Ketertinggalan menyusut');
    await expect(byTestId(page, 'history').locator('h2')).toHaveText('Riwayat');
    const backup = page.locator('[data-testid="timeline-step"][data-stage="basebackup"]');
    await expect(backup.locator('[data-testid="timeline-start"]')).toContainText('antara 2022-02-25');
    await expect(backup.locator('[data-testid="timeline-start"]')).toContainText('(teramati oleh pemantau)');
    await expect(backup.locator('[data-testid="timeline-duration"]')).toHaveText('berlangsung 4 mnt 29 dtk sampai 5 mnt 29 dtk');
    await expect(page.locator('body')).not.toContainText('Jeda menyusut');
  });

  test('the export buttons download every sample and event, without the planted password', async ({ page }) => {
    await page.goto(`${stack.url}${TASK_PATH}`);
    const csvLink = byTestId(page, 'export-csv');
    await expect(csvLink).toHaveAttribute('href', `/api/history/${REGION}/${INSTANCE}/tasks/${TASK}/export?format=csv`);
    const download = page.waitForEvent('download');
    await csvLink.click();
    expect((await download).suggestedFilename()).toBe(`history-${INSTANCE}-${TASK}.csv`);
    const csv = await page.request.get(`${stack.url}/api/history/${REGION}/${INSTANCE}/tasks/${TASK}/export?format=csv`);
    expect(csv.status()).toBe(200);
    const text = await csv.text();
    expect(text.split('\n')[0]).toMatch(/^record,time,stage,state,/);
    expect(text.split('\n').filter((l) => l.startsWith('sample,')).length).toBeGreaterThan(2800);
    expect(text).toContain('stage_changed,');
    expect(text).not.toContain(PLANTED);
    const json = await page.request.get(await byTestId(page, 'export-json').getAttribute('href').then((h) => `${stack.url}${h}`));
    expect(json.headers()['content-disposition']).toBe(`attachment; filename="history-${INSTANCE}-${TASK}.json"`);
    const body = await json.json();
    expect(body.taskId).toBe(TASK);
    expect(JSON.stringify(body)).not.toContain(PLANTED);
  });

  test('the instance page shows a last-hour sparkline per row and marks what changed since the last visit', async ({ page }) => {
    // The last visit was two hours ago: the switch (40 min ago) came after it.
    const twoHoursAgo = Math.floor(Date.now() / 1000) - 7200;
    await page.addInitScript(([key, value]) => {
      if (!sessionStorage.getItem('seeded')) {
        localStorage.setItem(key, value);
        sessionStorage.setItem('seeded', '1');
      }
    }, ['migration-dashboard.visits', `${REGION}/${INSTANCE} ${twoHoursAgo}`]);
    await page.goto(`${stack.url}${INSTANCE_PATH}`);
    const row = page.locator(`[data-testid="task-row"][data-task-id="${TASK}"]`);
    const spark = row.locator('[data-testid="sparkline"]');
    await expect(spark).toBeVisible();
    expect(Number(await spark.getAttribute('data-points'))).toBeGreaterThan(30);
    await expect(row.locator('[data-testid="changed-mark"]')).toHaveText('changed');
    await expect(row.locator('[data-testid="changed-mark"]')).toHaveAttribute('title', 'Changed since your last visit');
    // Rows the watcher has no history for say so; none is marked.
    const others = page.locator(`[data-testid="task-row"]:not([data-task-id="${TASK}"])`);
    await expect(others.first().locator('[data-testid="history-cell"]')).toHaveText('no history');
    await expect(page.locator('[data-testid="changed-mark"]')).toHaveCount(1);
    await expect(byTestId(page, 'history-not-watched')).toHaveCount(0);

    // This visit is remembered: on the next one nothing has changed since.
    await page.reload();
    await expect(row.locator('[data-testid="sparkline"]')).toBeVisible();
    await expect(page.locator('[data-testid="changed-mark"]')).toHaveCount(0);
  });

  test('a page load asks for each thing once: the session, the task list, the history, the alerts', async ({ page }) => {
    // Counts the /api/ requests by path (query left out). The instance history was once asked
    // twice per load: its resource awaited the session tracked, so the session's answer made it
    // fetch again as soon as the first fetch was done.
    const calls = new Map<string, number>();
    page.on('request', (r) => {
      const path = new URL(r.url()).pathname;
      if (path.includes('/api/')) calls.set(path, (calls.get(path) ?? 0) + 1);
    });
    const counted = () => Object.fromEntries([...calls].sort());

    await page.goto(`${stack.url}${INSTANCE_PATH}`);
    await expect(page.locator(`[data-testid="task-row"][data-task-id="${TASK}"] [data-testid="sparkline"]`)).toBeVisible();
    await page.waitForLoadState('networkidle');
    expect(counted()).toEqual({
      '/api/session': 1,
      '/api/rds/DescribeCloudMigrationResult': 1,
      [`/api/history/${REGION}/${INSTANCE}`]: 1,
    });

    calls.clear();
    await page.goto(`${stack.url}${TASK_PATH}`);
    await expect(byTestId(page, 'history-chart')).toBeVisible();
    await expect(byTestId(page, 'task-alerts').locator('.panel__body > *').first()).toBeVisible();
    await page.waitForLoadState('networkidle');
    // (The task's own history is asked again each minute, so a load across a minute's turn may
    // ask twice; it is not counted here.)
    const task = counted();
    expect(task['/api/alerts/episodes']).toBe(1);
    expect(task['/api/session']).toBe(1);
  });

  test('the watch page lists what is watched and why, read-only without the admin group', async ({ page }) => {
    await page.goto(`${stack.url}/`);
    await byTestId(page, 'nav-watch').click();
    await expect(page).toHaveURL(/\/watch$/);
    const row = page.locator(`[data-testid="watch-row"][data-instance="${INSTANCE}"]`);
    await expect(row).toHaveAttribute('data-source', 'demo');
    await expect(row.locator('[data-testid="watch-why"]')).toHaveText('demo instance');
    await expect(row.locator('[data-testid="watch-last"]')).not.toHaveText('not yet');
    await expect(byTestId(page, 'watch-read-only')).toBeVisible();
    await expect(byTestId(page, 'watch-remove')).toHaveCount(0);
    await row.locator('a').click();
    await expect(page).toHaveURL(new RegExp(`${INSTANCE_PATH}$`));
  });
});

test.describe('as an admin', () => {
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
  test.use({ extraHTTPHeaders: { 'X-Forwarded-User': 'alice', 'X-Forwarded-Groups': 'dba' } });

  test('an admin adds and removes a watch from the watch page', async ({ page }) => {
    await page.goto(`${stack.url}/watch`);
    await expect(page.locator('[data-testid="watch-row"]')).toHaveCount(1);
    await byTestId(page, 'watch-region').fill(REGION);
    await byTestId(page, 'watch-instance').fill('pgm-added-by-test');
    await byTestId(page, 'watch-submit').click();
    const added = page.locator('[data-testid="watch-row"][data-instance="pgm-added-by-test"]');
    await expect(added).toHaveAttribute('data-source', 'admin');
    await expect(added.locator('[data-testid="watch-why"]')).toHaveText('added by alice');
    await expect(added.locator('[data-testid="watch-last"]')).toHaveText('not yet');
    await added.locator('[data-testid="watch-remove"]').click();
    await expect(added).toHaveCount(0);
    await expect(page.locator('[data-testid="watch-row"]')).toHaveCount(1);
    await expect(byTestId(page, 'watch-failed')).toHaveCount(0);
  });

  test('a state change sent cross-site is refused', async ({ page }) => {
    await page.goto(`${stack.url}/watch`);
    const status = await page.evaluate(async (url) => {
      // A form post (no JSON content type) cannot change the watch list.
      const r = await fetch(url, { method: 'POST', body: 'x=1', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
      return r.status;
    }, `/api/watch/${REGION}/pgm-from-a-form`);
    expect(status).toBe(415);
    await page.reload();
    await expect(page.locator('[data-testid="watch-row"][data-instance="pgm-from-a-form"]')).toHaveCount(0);
  });
});

for (const [mode, testid, text] of [
  ['none', 'history-off', 'This proxy keeps no history'],
  ['down', 'history-unavailable', 'History is unavailable right now'],
  ['empty', 'history-not-watched', 'Not watched yet'],
] as const) {
  test.describe(`without history (store ${mode})`, () => {
    let stack: HistoryStack;
    test.beforeAll(async () => {
      stack = await HistoryStack.start(mode);
    });
    test.afterAll(async () => {
      await stack?.stop();
    });

    test(`a ready task is "ready on this sample", never for how long (${testid})`, async ({ page }) => {
      await forReadyTasks(page, stack.url, async (verdict) => {
        await expect(verdict).toHaveAttribute('data-readiness', 'ready_on_this_sample');
        await expect(verdict).toContainText('Ready to switch over on this sample.');
        return true;
      });
    });

    test(`each view says so and still shows live data (${testid})`, async ({ page }) => {
      await page.goto(`${stack.url}${TASK_PATH}`);
      await expect(byTestId(page, 'history').locator(`[data-testid="${testid}"]`)).toContainText(text);
      await expect(byTestId(page, 'summary')).toBeVisible();
      await expect(byTestId(page, 'history-chart')).toHaveCount(0);

      await page.goto(`${stack.url}${INSTANCE_PATH}`);
      await expect(byTestId(page, testid)).toContainText(text);
      await expect(page.locator(`[data-testid="task-row"][data-task-id="${TASK}"]`)).toBeVisible();
      await expect(page.locator('[data-testid="sparkline"]')).toHaveCount(0);

      await page.goto(`${stack.url}/watch`);
      if (mode === 'empty') {
        await expect(byTestId(page, 'watch-empty')).toHaveText('Nothing is watched yet.');
      } else {
        await expect(byTestId(page, testid)).toContainText(text);
      }
    });
  });
}
