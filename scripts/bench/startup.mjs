// Where the time to the first task table goes, phase by phase, in Debian's headless Chromium
// (Playwright from tests/e2e/node_modules). Not part of `make bench`'s table: the tool that
// produced the startup profile in BENCHMARKS.md, and the one to run again after a change that
// could move it (`scripts/bench/ab.py` runs it against two builds, alternating).
//
// Each run opens the instance page in a fresh context (empty HTTP cache) and reads, all in
// milliseconds since navigation start:
//   html         the document's responseEnd
//   js, wasm     responseEnd of the JS glue and of the wasm (Resource Timing), and how many
//                times the wasm was fetched (a preload the app's fetch does not reuse shows 2)
//   compiled     when WebAssembly.instantiateStreaming (or instantiate) resolved: download,
//                compile and instantiation, which overlap
//   started      Trunk's TrunkApplicationStarted event: the app's main() has run, so the first
//                render of the route is done
//   api_start, api_end   the task list's /api/ call (Resource Timing: when the network had it)
//   answer_seen, body_read   when the page's main thread had the task list's headers (fetch's
//                promise resolved) and its body (text()): the answer can wait for the main thread
//   first_row    a MutationObserver sees the first task row
//   task_ms, script_ms   the page's main-thread task and script time until then (CDP
//                Performance.getMetrics): the work, apart from the waiting, and less moved by
//                other load on the machine than the wall-clock figures
//   thread_ms    the main thread's CPU time until then (ThreadTime): time taken by other
//                processes on a loaded machine is not counted
//   nodes        DOM nodes alive in the page then
//
// Usage: node startup.mjs --base http://127.0.0.1:PORT [--runs 5] [--throttled 1]
//        [--path /regions/cn-hangzhou/instances/pgm-bp102g323jd4demo]
// Prints one JSON object: every run's phases and each phase's median.
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
const runs = Math.max(1, Math.min(50, Number(args.runs ?? 5)));
const throttled = args.throttled === '1';
const route = args.path ?? '/regions/cn-hangzhou/instances/pgm-bp102g323jd4demo';

const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  if (!s.length) return null;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// Installed before the page's scripts: times the wasm's instantiation and the first row.
const instrument = () => {
  window.__startup = { compiled: null, started: null, firstRow: null };
  for (const name of ['instantiateStreaming', 'instantiate']) {
    const original = WebAssembly[name];
    if (!original) continue;
    WebAssembly[name] = function (...a) {
      return original.apply(this, a).then((r) => {
        if (window.__startup.compiled === null) window.__startup.compiled = performance.now();
        return r;
      });
    };
  }
  // The task list's answer as the page saw it (the app calls window.fetch, then Response.text).
  const fetch0 = window.fetch;
  window.fetch = function (input, init) {
    const url = typeof input === 'string' ? input : input.url;
    const answer = fetch0.call(this, input, init);
    if (!/\/api\/.*(tasks|DescribeCloudMigrationResult)/.test(url) || window.__startup.answerSeen !== undefined) return answer;
    window.__startup.answerSeen = null;
    return answer.then((response) => {
      window.__startup.answerSeen = performance.now();
      const text = response.text.bind(response);
      response.text = () => text().then((body) => {
        window.__startup.bodyRead ??= performance.now();
        return body;
      });
      return response;
    });
  };
  addEventListener('TrunkApplicationStarted', () => {
    window.__startup.started = performance.now();
  });
  new MutationObserver(() => {
    if (window.__startup.firstRow === null && document.querySelector('[data-testid="task-table"] [data-testid="task-row"]')) {
      window.__startup.firstRow = performance.now();
    }
  }).observe(document, { subtree: true, childList: true });
};

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const out = { runs: [], throttled, errors: [] };
try {
  for (let i = 0; i < runs + 1; i++) {
    const context = await browser.newContext();
    await context.addInitScript(instrument);
    const page = await context.newPage();
    try {
      const cdp = await context.newCDPSession(page);
      await cdp.send('Performance.enable');
      if (throttled) {
        await cdp.send('Network.enable');
        await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
        await cdp.send('Network.emulateNetworkConditions', {
          offline: false, latency: 40, downloadThroughput: 1_250_000, uploadThroughput: 1_250_000,
        });
      }
      await page.goto(`${base}${route}`, { waitUntil: 'commit', timeout: 15_000 });
      await page.waitForSelector('[data-testid="task-row"]', { timeout: 15_000 });
      const r = await page.evaluate(() => {
        const res = performance.getEntriesByType('resource');
        const end = (suffix) => res.find((e) => new URL(e.name).pathname.endsWith(suffix))?.responseEnd ?? null;
        const api = res.find((e) => /\/api\/.*(tasks|DescribeCloudMigrationResult)/.test(e.name));
        const nav = performance.getEntriesByType('navigation')[0];
        return {
          html: nav?.responseEnd ?? null,
          js: end('.js'),
          wasm: end('.wasm'),
          wasm_fetches: res.filter((e) => new URL(e.name).pathname.endsWith('.wasm')).length,
          wasm_bytes: res.find((e) => new URL(e.name).pathname.endsWith('.wasm'))?.encodedBodySize ?? null,
          compiled: window.__startup.compiled,
          started: window.__startup.started,
          api_start: api?.startTime ?? null,
          api_end: api?.responseEnd ?? null,
          answer_seen: window.__startup.answerSeen ?? null,
          body_read: window.__startup.bodyRead ?? null,
          first_row: window.__startup.firstRow,
        };
      });
      const { metrics } = await cdp.send('Performance.getMetrics');
      const metric = (name) => (metrics.find((m) => m.name === name)?.value ?? 0) * 1000;
      r.task_ms = metric('TaskDuration');
      r.script_ms = metric('ScriptDuration');
      r.thread_ms = metric('ThreadTime');
      r.nodes = metrics.find((m) => m.name === 'Nodes')?.value ?? null;
      if (i > 0) out.runs.push(r); // the first run warms the proxy's cache
    } catch (e) {
      out.errors.push(e.message.split('\n')[0]);
    } finally {
      await context.close();
    }
  }
} finally {
  await browser.close();
}
out.median = {};
for (const k of ['html', 'js', 'wasm', 'compiled', 'started', 'api_start', 'api_end', 'answer_seen', 'body_read', 'first_row', 'task_ms', 'script_ms', 'thread_ms', 'nodes', 'wasm_fetches']) {
  out.median[k] = median(out.runs.map((r) => r[k]));
}
console.log(JSON.stringify(out));
