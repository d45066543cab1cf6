import { test, expect } from './fixtures';
import { byTestId, INSTANCE_PATH, marks, stagesById, tableReady, urls } from './helpers';

test('a refresh updates a changed stage in place: rows are kept and the focused link keeps focus', async ({ page }) => {
  test.skip(!urls.fast, 'needs the fast demo proxy (scripts/e2e.sh)');
  // The fast proxy's simulator runs 120 times faster than real time: stages change in seconds.
  await page.goto(`${urls.fast}${INSTANCE_PATH}`);
  await tableReady(page);
  await byTestId(page, 'refresh-interval').selectOption('0');

  // Tag every row element, and focus the first row's link.
  await page.evaluate(() => {
    document.querySelectorAll('[data-testid="task-row"]').forEach((row) => {
      (row as HTMLElement & { __e2e?: string }).__e2e = row.getAttribute('data-task-id') ?? '';
    });
  });
  const firstLink = byTestId(page, 'task-link').first();
  const focusedId = await firstLink.textContent();
  await firstLink.focus();
  const before = await stagesById(page);

  let changed: string | undefined;
  for (let i = 0; i < 40 && !changed; i++) {
    const applied = await marks(page, 'migration:refresh-applied');
    await byTestId(page, 'refresh').dispatchEvent('click');
    await expect.poll(() => marks(page, 'migration:refresh-applied')).toBeGreaterThan(applied);
    const after = await stagesById(page);
    changed = Object.keys(before).find((id) => id in after && after[id] !== before[id]);
    if (!changed) await page.waitForTimeout(500);
  }
  expect(changed, 'some task changed stage within the refreshes').toBeTruthy();

  const state = await page.evaluate((id) => {
    const row = document.querySelector(`[data-testid="task-row"][data-task-id="${id}"]`) as (HTMLElement & { __e2e?: string }) | null;
    const active = document.activeElement;
    return {
      sameRow: row?.__e2e === id,
      activeIsLink: active?.getAttribute('data-testid') === 'task-link',
      activeText: active?.textContent,
      activeRowKept: (active?.closest('tr') as (HTMLElement & { __e2e?: string }) | null)?.__e2e === active?.textContent,
    };
  }, changed);
  expect(state.sameRow, 'the changed row is the same element').toBe(true);
  expect(state.activeIsLink, 'focus stayed on the link').toBe(true);
  expect(state.activeText).toBe(focusedId);
  expect(state.activeRowKept).toBe(true);
  expect(await marks(page, 'migration:refresh-start')).toBeGreaterThan(0);
});

test('auto-refresh runs on the chosen interval, can be paused, and announces each result', async ({ page }) => {
  await page.goto(`${urls.base}${INSTANCE_PATH}`);
  await tableReady(page);
  const announcer = byTestId(page, 'announcer');
  await expect(announcer).toHaveAttribute('aria-live', 'polite');
  await expect(announcer).toContainText('Updated at');
  await expect(byTestId(page, 'last-updated')).toContainText(/Updated \d\d:\d\d:\d\d/);
  await expect(byTestId(page, 'stale-badge')).toBeHidden();

  await byTestId(page, 'refresh-interval').selectOption('5');
  const start = await marks(page, 'migration:refresh-applied');
  await expect.poll(() => marks(page, 'migration:refresh-applied'), { timeout: 9_000 }).toBeGreaterThan(start);
  expect(await page.evaluate(() => localStorage.getItem('migration-dashboard.refresh'))).toBe('5');

  const pause = byTestId(page, 'refresh-pause');
  await pause.click();
  await expect(pause).toHaveAttribute('aria-pressed', 'true');
  const paused = await marks(page, 'migration:refresh-start');
  await page.waitForTimeout(6_500);
  expect(await marks(page, 'migration:refresh-start')).toBe(paused);
  await pause.click();
  await expect(pause).toHaveAttribute('aria-pressed', 'false');

  // Refresh now always works, paused or not.
  await byTestId(page, 'refresh').click();
  await expect.poll(() => marks(page, 'migration:refresh-start')).toBeGreaterThan(paused);
});
