import { test, expect, type Response } from './fixtures';

// The walking skeleton's promise: the seed's example task reaches the table through the signing
// proxy and the simulator, and its SourcePassword never reaches the browser.
const INSTANCE_PAGE = '/regions/cn-hangzhou/instances/pgm-bp102g323jd4demo';
const SEED_PASSWORD = '123456';
// The password as a value of its own, not as a run of digits inside an LSN or an ID.
const PASSWORD_TOKEN = new RegExp(`(^|[^0-9A-Za-z])${SEED_PASSWORD}([^0-9A-Za-z]|$)`);
// The simulator's generated passwords.
const DEMO_PASSWORD = /Demo-[a-z0-9]{10}/;

test('the task table shows the seed task at stage switch, and no password reaches the browser', async ({ page }) => {
  const apiBodies: { url: string; body: string }[] = [];
  const pending: Promise<void>[] = [];
  page.on('response', (response: Response) => {
    if (new URL(response.url()).pathname.includes('/api/')) {
      pending.push(response.text().then((body) => { apiBodies.push({ url: response.url(), body }); }, () => {}));
    }
  });

  await page.goto(INSTANCE_PAGE);
  const row = page.locator('[data-testid="task-row"][data-task-id="440437220"]');
  await expect(row).toBeVisible();
  await expect(row.locator('[data-testid="stage"]')).toContainText('switch');
  await expect(row.locator('[data-testid="replication-state"]')).toContainText('streaming');
  await expect(page.locator('[data-testid="demo-banner"]')).toBeVisible();

  await Promise.all(pending);
  const rds = apiBodies.filter((r) => r.url.includes('/api/rds/DescribeCloudMigrationResult'));
  expect(rds.length).toBeGreaterThan(0);
  expect(rds.some((r) => r.body.includes('440437220'))).toBe(true);
  for (const { url, body } of apiBodies) {
    expect(body, url).not.toContain('SourcePassword');
    expect(PASSWORD_TOKEN.test(body), `${url} carries the seed password`).toBe(false);
    expect(DEMO_PASSWORD.test(body), `${url} carries a generated password`).toBe(false);
  }

  const text = await page.locator('body').innerText();
  expect(text).not.toContain('SourcePassword');
  expect(PASSWORD_TOKEN.test(text)).toBe(false);
});

test('a deep link reloads to the same table', async ({ page }) => {
  await page.goto(INSTANCE_PAGE);
  await expect(page.locator('[data-testid="task-row"]').first()).toBeVisible();
  await page.reload();
  await expect(page.locator('[data-testid="task-row"][data-task-id="440437220"]')).toBeVisible();
});
