// Browser figures for `make bench`, in Debian's headless Chromium through Playwright (from
// tests/e2e/node_modules), timed in the page with the Performance API:
//
//  1. first table: a fresh browser context (empty HTTP cache) opens an instance's task table;
//     the figure is performance.now() (milliseconds since navigation start) at the moment the
//     first task row is in the DOM, seen by a MutationObserver installed before the app loads.
//     Then the same again under Chromium's network emulation (CDP Network.emulateNetworkConditions:
//     10 Mbit/s both ways, 40 ms latency) with the cache disabled.
//  2. refresh of a 100-row page: on a page showing 100 rows, the time from the user's action to
//     the moment the new rows are in the DOM. If the app has a refresh control
//     ([data-testid=refresh]) it is used and completion is the list's aria-busy going back to
//     "false"; otherwise the "next page" link is used (a different page every time, so every
//     run fetches through the proxy) and completion is the first row's task id changing.
//     Each refresh waits --refresh-gap-ms (2.2 s) first, past the proxy's 2 s cache, so it reaches
//     the upstream; with a refresh control, a second series refreshes back to back (the proxy
//     answers from its cache). The app records a performance mark "migration:refresh-applied" (in a requestAnimationFrame after
//     the new rows are in the DOM); that mark is the end, the MutationObserver only the fallback.
//
// Usage: node browser.mjs --base http://127.0.0.1:PORT --runs 7 --instance ID --big-instance ID
//        [--parts first,throttled,refresh]   (some parts only: scripts/bench/ab.py)
// Prints one JSON object on stdout.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../../tests/e2e/package.json'));
const { chromium } = require('@playwright/test');

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const base = args.base ?? 'http://127.0.0.1:8080';
const runs = Math.max(1, Math.min(50, Number(args.runs ?? 7)));
const parts = new Set((args.parts ?? 'first,throttled,refresh').split(','));
const region = args.region ?? 'cn-hangzhou';
const instance = args.instance ?? 'pgm-bp102g323jd4demo';
const bigInstance = args['big-instance'] ?? 'pgm-bp1scalebenchdemo';
const STEP_TIMEOUT = 15_000;
// Longer than the proxy's default 2 s cache TTL: a refresh after it reaches the upstream.
const gapMs = Math.max(0, Math.min(10_000, Number(args['refresh-gap-ms'] ?? 2200)));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});

// Installed before any of the page's scripts run: notes when the first task row appears.
const observeFirstRow = () => {
  window.__bench = { firstRow: null };
  const check = () => {
    if (window.__bench.firstRow === null && document.querySelector('[data-testid="task-table"] [data-testid="task-row"]')) {
      window.__bench.firstRow = performance.now();
      window.__bench.rows = document.querySelectorAll('[data-testid="task-row"]').length;
    }
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true });
};

const chromiumVersion = browser.version();
const result = { runs, first_table_ms: [], first_table_rows: null, nav: [], refresh_ms: [], refresh_mode: null, errors: [] };

try {
  // 1. Navigation to a populated task table, each run in a fresh context (cold HTTP cache);
  //    then the same under Chromium's network emulation (10 Mbit/s both ways, 40 ms round trip),
  //    empty cache.
  const url = `${base}/regions/${region}/instances/${instance}`;
  const firstTable = async (throttled, into) => {
    for (let i = 0; i < runs + 1; i++) {
      const context = await browser.newContext();
      await context.addInitScript(observeFirstRow);
      const page = await context.newPage();
      try {
        if (throttled) {
          const cdp = await context.newCDPSession(page);
          await cdp.send('Network.enable');
          await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
          await cdp.send('Network.emulateNetworkConditions', {
            offline: false,
            latency: 40,
            downloadThroughput: (10 * 1000 * 1000) / 8,
            uploadThroughput: (10 * 1000 * 1000) / 8,
          });
        }
        await page.goto(url, { waitUntil: 'commit', timeout: STEP_TIMEOUT });
        await page.waitForSelector('[data-testid="task-row"]', { timeout: STEP_TIMEOUT });
        const r = await page.evaluate(() => {
          const nav = performance.getEntriesByType('navigation')[0];
          return {
            firstRow: window.__bench.firstRow,
            rows: window.__bench.rows,
            responseEnd: nav ? nav.responseEnd : null,
            domContentLoaded: nav ? nav.domContentLoadedEventEnd : null,
          };
        });
        // The first run warms the proxy's cache; it is left out so every counted run sees the
        // same server state.
        if (i > 0) {
          into.push(r.firstRow);
          if (!throttled) {
            result.nav.push(r);
            result.first_table_rows = r.rows;
          }
        }
      } catch (e) {
        result.errors.push(`first table${throttled ? ' (throttled)' : ''}: ${e.message.split('\n')[0]}`);
      } finally {
        await context.close();
      }
    }
  };
  if (parts.has('first')) await firstTable(false, result.first_table_ms);
  result.throttled_first_table_ms = [];
  if (parts.has('throttled')) await firstTable(true, result.throttled_first_table_ms);

  // 2. Refresh of a 100-row page.
  if (parts.has('refresh')) await refresh();
} finally {
  await browser.close();
}

async function refresh() {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base}/regions/${region}/instances/${bigInstance}?size=100`, { timeout: STEP_TIMEOUT });
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="task-row"]').length === 100, null, { timeout: STEP_TIMEOUT });
  const hasRefresh = (await page.locator('[data-testid="refresh"]').count()) > 0;
  result.refresh_mode = hasRefresh ? 'refresh-control' : 'next-page';
  const measure = () =>
    page.evaluate(
      ({ mode, timeout }) =>
        new Promise((resolve, reject) => {
          const firstId = () => document.querySelector('[data-testid="task-row"]')?.getAttribute('data-task-id');
          const rows = () => document.querySelectorAll('[data-testid="task-row"]').length;
          const busyNow = () => document.querySelector('[data-testid="instance-page"] [aria-busy]')?.getAttribute('aria-busy') === 'true';
          const before = firstId();
          performance.clearMarks('migration:refresh-applied');
          let sawBusy = false;
          let t0 = 0;
          const finish = () => {
            observer.disconnect();
            clearTimeout(timer);
            const mark = performance.getEntriesByName('migration:refresh-applied').pop();
            resolve((mark && mark.startTime >= t0 ? mark.startTime : performance.now()) - t0);
          };
          const check = () => {
            if (busyNow()) sawBusy = true;
            const done = mode === 'next-page' ? firstId() !== before && rows() === 100 : sawBusy && !busyNow() && rows() === 100;
            if (done) finish();
          };
          const observer = new MutationObserver(check);
          observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
          const timer = setTimeout(() => {
            observer.disconnect();
            reject(new Error('no update within the timeout'));
          }, timeout);
          const control = document.querySelector(mode === 'next-page' ? '[data-testid="page-next"]' : '[data-testid="refresh"]');
          if (!control) {
            observer.disconnect();
            clearTimeout(timer);
            reject(new Error(`no ${mode} control`));
            return;
          }
          t0 = performance.now();
          control.click();
        }),
      { mode: result.refresh_mode, timeout: STEP_TIMEOUT },
    );
  const settle = () =>
    page.waitForFunction(() => document.querySelector('[data-testid="instance-page"] [aria-busy]')?.getAttribute('aria-busy') !== 'true', null, {
      timeout: STEP_TIMEOUT,
    });
  // Refreshes after the proxy's cache has expired (each one reaches the simulator), then, with
  // a refresh control, refreshes right after one another (the proxy answers from its cache).
  for (let i = 0; i < runs; i++) {
    try {
      await page.waitForTimeout(gapMs);
      result.refresh_ms.push(await measure());
      await settle();
    } catch (e) {
      result.errors.push(`refresh: ${e.message.split('\n')[0]}`);
      break;
    }
  }
  if (result.refresh_mode === 'refresh-control') {
    result.refresh_cached_ms = [];
    await measure().catch(() => {});
    for (let i = 0; i < runs; i++) {
      try {
        await settle();
        await page.waitForTimeout(100);
        result.refresh_cached_ms.push(await measure());
      } catch (e) {
        result.errors.push(`refresh (cached): ${e.message.split('\n')[0]}`);
        break;
      }
    }
  }
  await context.close();
}

result.first_table_median_ms = result.first_table_ms.length ? median(result.first_table_ms) : null;
result.throttled_first_table_median_ms = result.throttled_first_table_ms?.length ? median(result.throttled_first_table_ms) : null;
result.refresh_median_ms = result.refresh_ms.length ? median(result.refresh_ms) : null;
result.refresh_gap_ms = gapMs;
result.refresh_cached_median_ms = result.refresh_cached_ms?.length ? median(result.refresh_cached_ms) : null;
result.chromium = chromiumVersion;
console.log(JSON.stringify(result));
