// Every spec imports `test` and `expect` from here, not from '@playwright/test' (scripts/e2e.sh
// checks): the fixture below records every /api/* answer the browser received, status, headers
// and body, into $E2E_RESPONSES_DIR, for the suite-wide secret scan (scripts/secret-scan.sh).
// Each answer starts with the scan's mark, so the scan can tell real traffic from nothing.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { test as base, type BrowserContext, type Response } from '@playwright/test';

export * from '@playwright/test';

const ANSWER_MARK = '=== answer: ';

function isApi(url: string): boolean {
  try {
    return new URL(url).pathname.includes('/api/');
  } catch {
    return false;
  }
}

/** Records the /api/* answers of `context` until `done` is called; returns the records. */
export function recordApiAnswers(context: BrowserContext): () => Promise<string> {
  const pending: Promise<string>[] = [];
  const onResponse = (response: Response) => {
    if (!isApi(response.url())) return;
    const request = response.request();
    pending.push(
      Promise.all([response.allHeaders(), response.text()]).then(
        ([headers, body]) =>
          `${ANSWER_MARK}${request.method()} ${response.url()} -> ${response.status()}\n${JSON.stringify(headers)}\n${body}\n`,
        // A page closed before the body arrived: the status is still worth a line.
        () => `${ANSWER_MARK}${request.method()} ${response.url()} -> ${response.status()} (no body)\n`,
      ),
    );
  };
  context.on('response', onResponse);
  return async () => {
    context.off('response', onResponse);
    // A body Chromium never hands over (a download, a page gone) must not hold the test's
    // teardown: after 5 s such an answer is recorded by its status line alone.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<string[]>((resolve) => {
      timer = setTimeout(() => resolve([]), 5000);
    });
    const settled = pending.map((p) =>
      Promise.race([p, late.then(() => "(an answer whose body did not arrive in time; not counted as traffic)\n")]),
    );
    const all = await Promise.all(settled);
    clearTimeout(timer);
    return all.join('');
  };
}

/** Appends recorded answers to this run's browser transcript, if the run asked for one. */
export function saveAnswers(text: string): void {
  const dir = process.env.E2E_RESPONSES_DIR;
  if (dir && text) appendFileSync(join(dir, 'e2e-responses.transcript'), text);
}

export const test = base.extend<{ recordApi: void }>({
  recordApi: [
    async ({ context }, use) => {
      const done = recordApiAnswers(context);
      await use();
      saveAnswers(await done());
    },
    { auto: true },
  ],
});
