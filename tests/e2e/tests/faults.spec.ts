// Faults, end to end: for each fault the upstream can have, the open dashboard keeps its last
// data with a stale badge while the fault lasts, and recovers by itself (auto-refresh, no click)
// once it ends. Each test has its own simulator and proxy (./stack.ts) and switches the fault on
// and off while the page is open.
import { test, expect, type Page } from './fixtures';
import { byTestId, INSTANCE_PATH, marks, tableReady } from './helpers';
import { Stack, type Faults, type StackOptions } from './stack';

test.describe.configure({ mode: 'parallel' });
test.setTimeout(120_000);

async function withStack(opts: StackOptions, body: (stack: Stack) => Promise<void>): Promise<void> {
  const stack = await Stack.start(opts);
  try {
    await body(stack);
  } finally {
    await stack.stop();
  }
}

async function taskIds(page: Page): Promise<string[]> {
  return page.$$eval('[data-testid="task-row"]', (rows) => rows.map((r) => r.getAttribute('data-task-id') ?? ''));
}

/** Opens the instance's task table with auto-refresh every 5 s; returns the task ids shown. */
async function open(page: Page, stack: Stack): Promise<string[]> {
  await page.goto(`${stack.url}${INSTANCE_PATH}`);
  await tableReady(page);
  await byTestId(page, 'refresh-interval').selectOption('5');
  await expect(byTestId(page, 'stale-badge')).toBeHidden();
  const ids = await taskIds(page);
  expect(ids.length).toBeGreaterThan(0);
  return ids;
}

/** While the fault lasts: the proxy's saved copy is shown, said to be stale, rows kept. */
async function ridesOut(page: Page, ids: string[]): Promise<void> {
  await expect(byTestId(page, 'stale-badge')).toBeVisible({ timeout: 30_000 });
  await expect(byTestId(page, 'stale-notice')).toContainText('showing a saved answer');
  expect(await taskIds(page)).toEqual(ids);
  await expect(byTestId(page, 'error-panel')).toHaveCount(0);
  // It stays that way across further refreshes while the fault lasts.
  const applied = await marks(page, 'migration:refresh-applied');
  await expect.poll(() => marks(page, 'migration:refresh-applied'), { timeout: 15_000 }).toBeGreaterThan(applied);
  await expect(byTestId(page, 'stale-badge')).toBeVisible();
  expect(await taskIds(page)).toEqual(ids);
}

/** Once the fault is over: fresh data again, with no click, and nothing says stale. */
async function recovers(page: Page, ids: string[], timeout = 30_000): Promise<void> {
  await expect(byTestId(page, 'stale-badge')).toBeHidden({ timeout });
  await expect(byTestId(page, 'stale-notice')).toHaveCount(0);
  await expect(byTestId(page, 'refresh-error')).toHaveCount(0);
  await expect(byTestId(page, 'error-panel')).toHaveCount(0);
  expect(await taskIds(page)).toEqual(ids);
  // And it stays fresh on the next refresh.
  const applied = await marks(page, 'migration:refresh-applied');
  await expect.poll(() => marks(page, 'migration:refresh-applied'), { timeout: 15_000 }).toBeGreaterThan(applied);
  await expect(byTestId(page, 'stale-badge')).toBeHidden();
}

/** Samples the stale badge for `ms` and fails if it ever shows. */
async function neverStaleFor(page: Page, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    expect(await byTestId(page, 'stale-badge').isHidden(), 'the stale badge showed').toBe(true);
    await expect(byTestId(page, 'refresh-error')).toHaveCount(0);
    await page.waitForTimeout(250);
  }
}

const switchable: Array<[string, Faults]> = [
  ['slow (every call takes 5 s, the proxy gives up after 1.5 s)', { latency_ms: 5_000 }],
  ['throttling (every call answered Throttling.User)', { throttle_rate: 1, throttle_time_left_ms: 200 }],
  ['server errors (every call answered 500 or 503)', { server_error_rate: 1 }],
  ['malformed JSON (every answer cut in half)', { malformed_rate: 1 }],
];

for (const [name, faults] of switchable) {
  test(`upstream ${name}: stale badge, then recovery by itself`, async ({ page }) => {
    await withStack({ name: name.split(' ')[0] }, async (stack) => {
      const ids = await open(page, stack);
      await stack.setFaults(faults);
      await ridesOut(page, ids);
      await stack.clearFaults();
      await recovers(page, ids);
    });
  });
}

test('upstream down (the endpoint refuses connections): stale badge, then recovery when it is back', async ({ page }) => {
  await withStack({ name: 'down' }, async (stack) => {
    const ids = await open(page, stack);
    await stack.killSimulator();
    await ridesOut(page, ids);
    await stack.startSimulator();
    await recovers(page, ids);
  });
});

test('clock skew: the proxy corrects its signing clock and the page never goes stale', async ({ page }) => {
  await withStack({ name: 'skew' }, async (stack) => {
    await open(page, stack);
    const corrected = () => stack.proxyLogCount(/corrected the signing clock/);
    expect(corrected()).toBe(0);
    // 20 minutes ahead: past the endpoint's 15-minute window, so the next signed call is refused
    // (InvalidTimeStamp.Expired) and the proxy learns the server's clock from its Date header.
    await stack.setFaults({ clock_skew_secs: 1_200 });
    const applied = await marks(page, 'migration:refresh-applied');
    await neverStaleFor(page, 7_000);
    expect(corrected()).toBeGreaterThanOrEqual(1);
    expect(await marks(page, 'migration:refresh-applied')).toBeGreaterThan(applied);
    // And back: now the proxy's learnt clock is 20 minutes ahead; it corrects again.
    await stack.setFaults({ clock_skew_secs: -1_200 });
    const before = corrected();
    await neverStaleFor(page, 7_000);
    expect(corrected()).toBeGreaterThan(before);
  });
});

test('STS credentials expire mid-run: refreshed unnoticed; when STS is down they lapse, then recover', async ({ page }) => {
  // The proxy runs on an ECS RAM role: STS credentials with a SecurityToken, here living 6 s.
  await withStack({ name: 'sts', ecsRole: true, simArgs: ['--ecs-credential-ttl-secs', '6'] }, async (stack) => {
    const ids = await open(page, stack);
    const refreshed = () => stack.proxyLogCount(/credentials refreshed/);
    // Several sets expire while the page refreshes; each is replaced before it lapses.
    const start = refreshed();
    await neverStaleFor(page, 10_000);
    expect(refreshed() - start).toBeGreaterThanOrEqual(2);
    // STS (the metadata service) down: the credentials lapse and calls cannot be signed.
    await stack.setFaults({ sts_unavailable: true });
    await ridesOut(page, ids);
    expect(stack.proxyLogCount(/refreshing the Alibaba Cloud credentials failed/)).toBeGreaterThan(0);
    await stack.clearFaults();
    // The proxy backs off between refresh attempts, so this may take one back-off longer.
    await recovers(page, ids, 60_000);
    expect(refreshed()).toBeGreaterThan(start + 2);
  });
});
