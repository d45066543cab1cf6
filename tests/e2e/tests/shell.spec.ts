import { test, expect } from './fixtures';
import { byTestId, INSTANCE_PATH, SEED_TASK, tableReady, urls } from './helpers';

test.use({ baseURL: urls.base });

test.describe('in Indonesian browsers', () => {
  test.use({ locale: 'id-ID' });
  test('the language comes from the browser, can be switched, and is remembered', async ({ page }) => {
    await page.goto('/');
    await expect(page.locator('html')).toHaveAttribute('lang', 'id');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Buka instans RDS');
    await expect(byTestId(page, 'demo-banner')).toContainText('Data demo');
    await byTestId(page, 'lang-select').selectOption('en');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Open an RDS instance');
    await page.goto(INSTANCE_PATH);
    await tableReady(page);
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await byTestId(page, 'lang-select').selectOption('id');
    await expect(byTestId(page, 'tab-tasks')).toHaveText('Tugas migrasi');
    await expect(page.locator('th', { has: byTestId(page, 'sort-stage') })).toContainText('Tahap');
    await page.reload();
    await tableReady(page);
    await expect(byTestId(page, 'lang-select')).toHaveValue('id');
    await expect(byTestId(page, 'refresh')).toContainText('Segarkan sekarang');
  });
});

test('a first load asks for nothing that is not there (the icon included)', async ({ page }) => {
  const failed: string[] = [];
  page.on('response', (r) => {
    if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
  });
  await page.goto(INSTANCE_PATH);
  await tableReady(page);
  const icon = await page.locator('link[rel="icon"]').getAttribute('href');
  expect(icon).toMatch(/favicon-[0-9a-f]+\.svg$/);
  const answer = await page.request.get(icon!);
  expect(answer.status()).toBe(200);
  expect(answer.headers()['content-type']).toContain('image/svg+xml');
  expect(failed).toEqual([]);
});

test('the theme follows the system, toggles, and is remembered', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto('/');
  const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const dark = await bg();
  const toggle = byTestId(page, 'theme-toggle');
  await expect(toggle).toHaveAttribute('data-theme-pref', 'system');
  await toggle.click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  expect(await bg()).not.toBe(dark);
  await toggle.click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  expect(await bg()).toBe(dark);
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await toggle.click();
  await expect(page.locator('html')).not.toHaveAttribute('data-theme', /./);
});

test('a portal can restyle the app through CSS custom properties', async ({ page }) => {
  await page.goto('/');
  await expect(byTestId(page, 'open-instance')).toBeVisible();
  // (Set through the CSSOM: the proxy's CSP allows no inline <style>; a portal would add its own
  // stylesheet.)
  await page.evaluate(() => document.documentElement.style.setProperty('--color-accent', 'rgb(1, 2, 3)'));
  await expect(byTestId(page, 'open-instance')).toHaveCSS('background-color', 'rgb(1, 2, 3)');
});

test.describe('at 360 px', () => {
  test.use({ viewport: { width: 360, height: 780 } });
  test('every page fits the width; wide tables scroll inside their own box', async ({ page }) => {
    for (const path of ['/', INSTANCE_PATH, `${INSTANCE_PATH}?tab=prechecks`, `${INSTANCE_PATH}/tasks/${SEED_TASK}`, '/watch']) {
      await page.goto(path);
      await expect(page.locator('main section').first()).toBeVisible();
      await page.waitForLoadState('networkidle');
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width, path).toBeLessThanOrEqual(360);
    }
  });
});

test('the app works under a base path, deep links included', async ({ page }) => {
  test.skip(!urls.prefix, 'needs the base-path proxy (scripts/e2e.sh)');
  const api: string[] = [];
  page.on('request', (r) => { if (r.url().includes('/api/')) api.push(new URL(r.url()).pathname); });
  await page.goto(`${urls.prefix}${INSTANCE_PATH}?page=2`);
  await tableReady(page);
  await expect(byTestId(page, 'total')).toContainText('page 2 of 2');
  expect(api.length).toBeGreaterThan(0);
  expect(api.every((p) => p.startsWith('/migrations/api/'))).toBe(true);
  await byTestId(page, 'page-prev').click();
  await expect(page).toHaveURL(`${urls.prefix}${INSTANCE_PATH}`);
  await page.locator(`[data-testid="task-row"][data-task-id="${SEED_TASK}"] a`).click();
  await expect(page).toHaveURL(`${urls.prefix}${INSTANCE_PATH}/tasks/${SEED_TASK}`);
  await expect(byTestId(page, 'summary')).toBeVisible();
  await page.reload();
  await expect(byTestId(page, 'summary')).toBeVisible();
  await page.goBack();
  await tableReady(page);
  await byTestId(page, 'home-link').click();
  await expect(page).toHaveURL(`${urls.prefix}/`);
});

test('the app works inside an iframe on the same origin (the portal case)', async ({ page }) => {
  await page.goto('/healthz');
  await page.setContent(`<h1>Portal</h1><iframe title="dashboard" width="1200" height="800" src="${urls.base}${INSTANCE_PATH}"></iframe>`);
  const frame = page.frameLocator('iframe');
  await expect(frame.locator(`[data-testid="task-row"][data-task-id="${SEED_TASK}"]`)).toBeVisible();
  await frame.locator(`[data-testid="task-row"][data-task-id="${SEED_TASK}"] a`).click();
  await expect(frame.locator('[data-testid="summary"]')).toBeVisible();
  await expect(page.locator('h1')).toHaveText('Portal');
});
