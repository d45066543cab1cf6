import { expect, type Page, type Locator } from '@playwright/test';

// Addresses of the proxies scripts/e2e.sh starts (see there).
export const urls = {
  base: process.env.BASE_URL ?? 'http://127.0.0.1:8080',
  fast: process.env.FAST_URL ?? '',
  failing: process.env.FAILING_URL ?? '',
  throttled: process.env.THROTTLED_URL ?? '',
  flaky: process.env.FLAKY_URL ?? '',
  prefix: process.env.PREFIX_URL ?? '',
};

export const REGION = 'cn-hangzhou';
export const INSTANCE = 'pgm-bp102g323jd4demo';
export const SEED_TASK = '440437220';
export const INSTANCE_PATH = `/regions/${REGION}/instances/${INSTANCE}`;
export const TASK_PATH = `${INSTANCE_PATH}/tasks/${SEED_TASK}`;

export const byTestId = (page: Page | Locator, id: string) => page.locator(`[data-testid="${id}"]`);

/** Waits for the task table to show rows. */
export async function tableReady(page: Page): Promise<void> {
  await expect(page.locator('[data-testid="task-table"] [data-testid="task-row"]').first()).toBeVisible();
}

/** The `data-stage` of every row, by task id. */
export async function stagesById(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() => {
    const out: Record<string, string> = {};
    for (const row of document.querySelectorAll('[data-testid="task-row"]')) {
      const id = row.getAttribute('data-task-id') ?? '';
      out[id] = row.querySelector('[data-stage]')?.getAttribute('data-stage') ?? '';
    }
    return out;
  });
}

/** Performance marks the app recorded under `name`. */
export async function marks(page: Page, name: string): Promise<number> {
  return page.evaluate((n) => performance.getEntriesByName(n, 'mark').length, name);
}
