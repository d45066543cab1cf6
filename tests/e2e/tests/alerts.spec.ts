// The alert views against the real proxy: its demo simulator, its watcher and store, and an
// alerts file with two destinations (a webhook to a local receiver that answers, a DingTalk robot
// on a port that refuses). The demo world has tasks in `disconnect` from the start, so the
// `disconnected` rule fires at the first poll; at 40× world speed (the simulator's clock) the
// disconnect ends within seconds and its episode resolves. Covers the attention view on the home
// page, a task's episodes and the alerts page, and that no destination URL or signing secret
// (planted values the suite-wide secret scan also looks for) ever reaches the browser.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { test, expect, type Page } from './fixtures';
import { HistoryStack, TASK } from './history-stack';

const ROOT = resolve(__dirname, '../../..');
const BIN = process.env.PROXY_BIN ?? join(ROOT, 'target/debug/migration-proxy');
const DIST = process.env.DIST_DIR ?? join(ROOT, 'dist');
const LOG_DIR = process.env.E2E_LOG_DIR ?? mkdtempSync(join(tmpdir(), 'migration-e2e-alerts-'));

const REGION = 'cn-hangzhou';
const INSTANCE = 'pgm-bp102g323jd4demo';
// The planted secrets of proxy/tests/common/mod.rs (SECRETS): the secret scan knows them.
const URL_TOKEN = 'AlertUrlT0ken-6d6d6d';
const DING_SECRET = 'SECAlertDingSecret-8b8b8b';
const HOOK_KEY = 'QWxlcnRXZWJob29rS2V5LTFhMmIzYzRkNWU2Zjdh';
const SECRETS = [URL_TOKEN, DING_SECRET, HOOK_KEY, 'whsec_'];

const byTestId = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`);

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => ok(port));
    });
  });
}

interface Episode {
  kind: string;
  severity: string;
  status: string;
  regionId: string;
  dbInstanceName: string;
  taskId: number | null;
}

interface Delivery {
  destination: string;
  status: string;
  attempts: number;
  lastError: string | null;
}

/** A demo proxy with an alerts file, its store in a temporary directory, polling every second. */
class AlertStack {
  private constructor(
    readonly url: string,
    readonly refusedPort: number,
    private readonly child: ChildProcess,
    private readonly dir: string,
    private readonly receiver: Server,
    readonly received: string[],
  ) {}

  static async start(name: string, speed: number): Promise<AlertStack> {
    const received: string[] = [];
    const receiver = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push(body);
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok');
      });
    });
    await new Promise<void>((ok) => receiver.listen(0, '127.0.0.1', () => ok()));
    const hookPort = (receiver.address() as { port: number }).port;
    const [port, refusedPort] = [await freePort(), await freePort()];
    const dir = mkdtempSync(join(tmpdir(), 'migration-e2e-alerts-'));
    const file = join(dir, 'alerts.toml');
    writeFileSync(
      file,
      `[[destination]]
name = "ops-hook"
kind = "webhook"
url = "http://127.0.0.1:${hookPort}/hook?token=${URL_TOKEN}"
secret = "whsec_${HOOK_KEY}"

[[destination]]
name = "dba-dingtalk"
kind = "dingtalk"
url = "http://127.0.0.1:${refusedPort}/robot/send?access_token=${URL_TOKEN}"
secret = "${DING_SECRET}"
language = "id"

[[rule]]
name = "task-down"
kind = "disconnected"
for = "0s"

[[rule]]
name = "lag-any"
kind = "lag_high"
threshold_bytes = 1
for = "0s"
regions = ["${REGION}"]
destinations = ["ops-hook"]
`,
      { mode: 0o600 },
    );
    const log = join(LOG_DIR, `alerts-${name}-${process.pid}-${Date.now()}.log`);
    const out = createWriteStream(log, { flags: 'a' });
    const args = ['serve', '--demo', '--demo-speed', String(speed), '--listen', `127.0.0.1:${port}`, '--dist', DIST,
      '--audit-log', '-', '--data-dir', join(dir, 'data'), '--alerts-file', file, '--test-watch-interval-ms', '1000'];
    const child = spawn(BIN, args, { env: { PATH: process.env.PATH, RUST_LOG: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.pipe(out);
    child.stderr?.pipe(out);
    const stack = new AlertStack(`http://127.0.0.1:${port}`, refusedPort, child, dir, receiver, received);
    for (let i = 0; i < 300; i++) {
      if (child.exitCode !== null) break;
      try {
        if ((await fetch(`${stack.url}/healthz`)).ok) return stack;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await stack.stop();
    throw new Error(`the proxy did not start; its log ends:\n${readFileSync(log, 'utf8').split('\n').slice(-20).join('\n')}`);
  }

  async api<T>(path: string): Promise<T> {
    const r = await fetch(`${this.url}/api/${path}`);
    if (!r.ok) throw new Error(`${path}: ${r.status}`);
    return (await r.json()) as T;
  }

  async episodes(query: string): Promise<Episode[]> {
    return (await this.api<{ episodes: Episode[] }>(`alerts/episodes?${query}`)).episodes;
  }

  async deliveries(): Promise<Delivery[]> {
    return (await this.api<{ deliveries: Delivery[] }>('alerts/deliveries?limit=500')).deliveries;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise<void>((ok) => this.child.once('exit', () => ok()));
      this.child.kill('SIGTERM');
      await exited;
    }
    await new Promise<void>((ok) => this.receiver.close(() => ok()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const RANK: Record<string, number> = { critical: 3, warning: 2, info: 1 };

async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')})`);
}

/** Every /api/* body the page receives, to look for secrets in. */
function collectBodies(page: Page): string[] {
  const bodies: string[] = [];
  page.on('response', (r) => {
    if (r.url().includes('/api/')) r.text().then((t) => bodies.push(t), () => undefined);
  });
  return bodies;
}

test.describe('alerts firing on the demo world', () => {
  let stack: AlertStack;
  let disconnected: Episode;

  test.beforeAll(async () => {
    test.setTimeout(90_000);
    stack = await AlertStack.start('firing', 1);
    // The first polls: the demo instance's disconnected tasks fire (critical), lagging ones
    // warn; the receiver takes the webhook's messages, the refused port keeps DingTalk's pending.
    await expect
      .poll(async () => (await stack.episodes(`DBInstanceName=${INSTANCE}&firing=true`)).some((e) => e.kind === 'disconnected'), { timeout: 30_000 })
      .toBe(true);
    disconnected = (await stack.episodes(`DBInstanceName=${INSTANCE}&firing=true`)).find((e) => e.kind === 'disconnected')!;
    await expect
      .poll(async () => {
        const d = await stack.deliveries();
        return d.some((x) => x.destination === 'ops-hook' && x.status === 'sent') && d.some((x) => x.destination === 'dba-dingtalk' && x.attempts > 0);
      }, { timeout: 30_000 })
      .toBe(true);
  });
  test.afterAll(async () => {
    await stack?.stop();
  });

  test('the home page shows firing alerts worst first, then every watched instance at a glance', async ({ page }) => {
    const watches = (await stack.api<{ watches: unknown[] }>('watch')).watches;
    expect(watches.length).toBeGreaterThan(1);
    await page.goto(`${stack.url}/`);
    const attention = byTestId(page, 'attention');
    await expect(attention).toBeVisible();
    // Today's picker is still below it.
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Open an RDS instance');

    const firing = attention.locator('[data-testid="attention-firing-row"]');
    await expect(firing.first()).toBeVisible();
    const severities = await firing.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-severity') ?? ''));
    const ranks = severities.map((s) => RANK[s] ?? 0);
    expect(ranks, 'worst first').toEqual([...ranks].sort((a, b) => b - a));
    expect(severities[0]).toBe('critical');
    expect(severities).toContain('warning');
    await expect(firing.first()).toHaveAttribute('data-kind', 'disconnected');
    await expect(firing.first().locator('[data-testid="alert-severity"]')).toHaveText('Critical');

    // Every watched instance, in every region; the one with firing alerts first.
    const rows = attention.locator('[data-testid="attention-instance-row"]');
    await expect(rows).toHaveCount(watches.length);
    await expect(rows.first()).toHaveAttribute('data-instance', INSTANCE);
    const demo = attention.locator(`[data-testid="attention-instance-row"][data-instance="${INSTANCE}"]`);
    await expect(demo.locator('[data-testid="attention-by-state"]')).toContainText('Disconnected');
    await expect(demo.locator('[data-testid="attention-by-stage"]')).toContainText('Increment');
    expect(Number(await demo.locator('[data-testid="attention-task-count"]').innerText())).toBeGreaterThan(3);
    expect(Number(await demo.getAttribute('data-firing'))).toBeGreaterThan(0);
    expect(Number(await demo.locator('[data-testid="attention-worst-lag"]').getAttribute('data-bytes'))).toBeGreaterThan(0);

    // Each firing task links to its page; by keyboard too.
    const link = firing.first().locator('[data-testid="attention-task-link"]');
    const id = (await firing.first().getAttribute('data-task-id')) ?? '';
    await expect(link).toHaveAttribute('href', new RegExp(`/tasks/${id}$`));
    await link.focus();
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(new RegExp(`/tasks/${id}$`));
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Task ${id}`);

    // In Indonesian.
    await page.goto(`${stack.url}/`);
    await page.getByTestId('lang-select').selectOption('id');
    await expect(attention.getByRole('heading', { level: 2 })).toHaveText('Notifikasi aktif');
    await expect(firing.first().locator('[data-testid="alert-severity"]')).toHaveText('Kritis');
    await page.getByTestId('lang-select').selectOption('en');
  });

  test("a task's page lists its alert episodes with their times", async ({ page }) => {
    await page.goto(`${stack.url}/regions/${REGION}/instances/${INSTANCE}/tasks/${disconnected.taskId}`);
    const panel = byTestId(page, 'task-alerts');
    await expect(panel.getByRole('heading', { level: 2 })).toHaveText('Alerts');
    const row = panel.locator('[data-testid="episode-row"][data-kind="disconnected"]');
    await expect(row).toHaveCount(1);
    await expect(row).toHaveAttribute('data-status', 'firing');
    await expect(row.locator('[data-testid="episode-kind"]')).toHaveText('Disconnected');
    await expect(row.locator('[data-testid="episode-status"]')).toHaveText('Firing');
    await expect(row.locator('[data-testid="episode-start"] time')).toHaveAttribute('datetime', /^\d{4}-\d\d-\d\dT/);
    await expect(row.locator('[data-testid="episode-end"]')).toHaveText('still firing');
    await expect(byTestId(page, 'task-alerts-summary')).toHaveText('Firing now: 1');
  });

  test('the alerts page shows the rules, destinations and deliveries, and never a URL or secret', async ({ page }) => {
    const bodies = collectBodies(page);
    await page.goto(`${stack.url}/`);
    await page.getByTestId('nav-alerts').click();
    await expect(page).toHaveURL(/\/alerts$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Alerts');

    const down = page.locator('[data-testid="rule-row"][data-rule="task-down"]');
    await expect(down.locator('[data-testid="rule-kind"]')).toHaveText('Disconnected');
    await expect(down.locator('[data-testid="rule-for"]')).toHaveText('at once');
    await expect(down.locator('[data-testid="rule-scope"]')).toHaveText('every watched instance');
    await expect(down.locator('[data-testid="rule-destinations"]')).toHaveText('ops-hook, dba-dingtalk');
    await expect(down.locator('[data-testid="alert-severity"]')).toHaveText('Critical');
    const lag = page.locator('[data-testid="rule-row"][data-rule="lag-any"]');
    await expect(lag.locator('[data-testid="rule-threshold"]')).toHaveText('over 1 B');
    await expect(lag.locator('[data-testid="rule-scope"]')).toHaveText(`regions ${REGION}`);
    await expect(lag.locator('[data-testid="rule-destinations"]')).toHaveText('ops-hook');

    const ding = page.locator('[data-testid="destination-row"][data-destination="dba-dingtalk"]');
    await expect(ding).toContainText('DingTalk');
    await expect(ding).toContainText('Bahasa Indonesia');
    await expect(ding).toContainText('signed');
    await expect(page.locator('[data-testid="destination-row"][data-destination="ops-hook"]')).toContainText('Webhook');

    // The webhook's messages went out; DingTalk's wait for a port that refuses, with the error.
    await expect(page.locator('[data-testid="delivery-row"][data-destination="ops-hook"][data-status="sent"]').first()).toBeVisible();
    // The newest row may be a message queued a moment ago and not yet tried: judge one that was.
    const pending = page
      .locator('[data-testid="delivery-row"][data-destination="dba-dingtalk"]')
      .filter({ hasNot: page.locator('[data-testid="delivery-error"] .muted') })
      .first();
    await expect(pending).toBeVisible();
    await expect(pending.locator('[data-testid="delivery-status"]')).toHaveText(/Pending|Given up/);
    expect(Number(await pending.locator('[data-testid="delivery-attempts"]').innerText())).toBeGreaterThan(0);
    await expect(pending.locator('[data-testid="delivery-error"]')).not.toHaveText('');

    // Never a destination URL, token or signing secret: not on screen, not in any answer.
    const html = await page.content();
    for (const s of [...SECRETS, `127.0.0.1:${stack.refusedPort}`, '/robot/send', '/hook?']) {
      expect(html, s).not.toContain(s);
      for (const b of bodies) expect(b, s).not.toContain(s);
    }
    expect(bodies.length).toBeGreaterThan(2);
    // The receiver did get the messages, so there was something to leak.
    expect(stack.received.length).toBeGreaterThan(0);

    await page.getByTestId('lang-select').selectOption('id');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Notifikasi');
    await expect(down.locator('[data-testid="rule-kind"]')).toHaveText('Terputus');
    await page.getByTestId('lang-select').selectOption('en');
  });

  for (const scheme of ['light', 'dark'] as const) {
    test(`axe finds no serious or critical violations on the alert views (${scheme}); 360 px fits`, async ({ page }) => {
      await page.emulateMedia({ colorScheme: scheme });
      await page.setViewportSize({ width: 360, height: 800 });
      const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

      await page.goto(`${stack.url}/`);
      await expect(byTestId(page, 'attention-firing-row').first()).toBeVisible();
      expect(await seriousViolations(page), 'attention view').toEqual([]);
      expect(await fits(), 'attention view at 360 px').toBe(true);

      await page.goto(`${stack.url}/regions/${REGION}/instances/${INSTANCE}/tasks/${disconnected.taskId}`);
      await expect(byTestId(page, 'episode-row').first()).toBeVisible();
      expect(await seriousViolations(page), 'task episodes').toEqual([]);
      expect(await fits(), 'task page at 360 px').toBe(true);

      await page.goto(`${stack.url}/alerts`);
      await expect(byTestId(page, 'delivery-row').first()).toBeVisible();
      expect(await seriousViolations(page), 'alerts page').toEqual([]);
      expect(await fits(), 'alerts page at 360 px').toBe(true);
    });
  }
});

test.describe('an episode that ends', () => {
  let stack: AlertStack;
  test.beforeAll(async () => {
    // 40× world speed: the demo's disconnects end within seconds of real time.
    stack = await AlertStack.start('resolving', 40);
  });
  test.afterAll(async () => {
    await stack?.stop();
  });

  test("a resolved episode shows on its task's page with its start and end", async ({ page }) => {
    test.setTimeout(90_000);
    let resolved: Episode | undefined;
    await expect
      .poll(async () => {
        resolved = (await stack.episodes(`DBInstanceName=${INSTANCE}`)).find((e) => e.kind === 'disconnected' && e.status === 'resolved');
        return resolved !== undefined;
      }, { timeout: 60_000 })
      .toBe(true);
    await page.goto(`${stack.url}/regions/${REGION}/instances/${INSTANCE}/tasks/${resolved!.taskId}`);
    const row = byTestId(page, 'task-alerts').locator('[data-testid="episode-row"][data-kind="disconnected"][data-status="resolved"]').first();
    await expect(row.locator('[data-testid="episode-status"]')).toHaveText('Resolved');
    const start = await row.locator('[data-testid="episode-start"] time').getAttribute('datetime');
    const end = await row.locator('[data-testid="episode-end"] time').getAttribute('datetime');
    expect(start).toMatch(/^\d{4}-/);
    expect(end).toMatch(/^\d{4}-/);
    expect(Date.parse(end!)).toBeGreaterThanOrEqual(Date.parse(start!));
  });
});

test.describe('without a history store', () => {
  let stack: HistoryStack;
  test.beforeAll(async () => {
    stack = await HistoryStack.start('none');
  });
  test.afterAll(async () => {
    await stack?.stop();
  });

  test('each alert view says there is no history, and the live pages work as before', async ({ page }) => {
    await page.goto(`${stack.url}/`);
    await expect(byTestId(page, 'attention-no-history')).toHaveText(
      'This proxy keeps no history, so it watches no instance and raises no alert.',
    );
    await expect(byTestId(page, 'attention')).toHaveCount(0);
    // The picker is the page, as before.
    await expect(byTestId(page, 'instance-row').first()).toBeVisible();

    await page.goto(`${stack.url}/regions/${REGION}/instances/${INSTANCE}/tasks/${TASK}`);
    await expect(byTestId(page, 'summary')).toBeVisible();
    await expect(byTestId(page, 'task-alerts-off')).toBeVisible();

    await page.goto(`${stack.url}/alerts`);
    await expect(byTestId(page, 'alerts-not-evaluating')).toBeVisible();
    await expect(byTestId(page, 'alerts-default-rules')).toBeVisible();
    await expect(page.locator('[data-testid="rule-row"][data-kind="disconnected"]')).toBeVisible();
    await expect(byTestId(page, 'deliveries-empty')).toBeVisible();
  });
});
