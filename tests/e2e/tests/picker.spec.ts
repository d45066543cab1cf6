import { test, expect } from './fixtures';
import { byTestId, INSTANCE, INSTANCE_PATH, REGION, tableReady, urls } from './helpers';

test.use({ baseURL: urls.base });

test('the picker lists regions and PostgreSQL instances from the proxy, and opens one', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Open an RDS instance');
  const select = byTestId(page, 'region-select');
  await expect(select).toHaveValue(REGION);
  await expect(select.locator('option')).toHaveCount(4);
  await expect(page.locator(`[data-testid="instance-row"][data-instance="${INSTANCE}"]`)).toBeVisible();

  await select.selectOption('ap-southeast-5');
  await expect(page).toHaveURL(/\?region=ap-southeast-5$/);
  const rows = byTestId(page, 'instance-row');
  await expect(rows.first()).toBeVisible();
  await expect(page.locator(`[data-testid="instance-row"][data-instance="${INSTANCE}"]`)).toHaveCount(0);
  const id = await rows.first().getAttribute('data-instance');

  await rows.first().locator('a').click();
  await expect(page).toHaveURL(new RegExp(`/regions/ap-southeast-5/instances/${id}$`));
  await expect(byTestId(page, 'instance-subtitle')).toContainText('ap-southeast-5');
});

test('an instance ID can be typed or pasted, and is checked first', async ({ page }) => {
  await page.goto('/');
  await byTestId(page, 'instance-input').fill('pgm bad/id');
  await byTestId(page, 'open-instance').click();
  await expect(byTestId(page, 'instance-input-error')).toContainText('Enter an instance ID');
  await expect(byTestId(page, 'instance-input')).toHaveAttribute('aria-invalid', 'true');
  await expect(page).toHaveURL(/\/$/);

  await byTestId(page, 'instance-input').fill(INSTANCE);
  await byTestId(page, 'instance-input').press('Enter');
  await expect(page).toHaveURL(new RegExp(`${INSTANCE_PATH}$`));
  await tableReady(page);
});

test('recently opened instances are kept in localStorage and can be cleared', async ({ page }) => {
  await page.goto(INSTANCE_PATH);
  await tableReady(page);
  // A second instance the service knows (the simulator's first one in Shanghai).
  const listed = await (await page.request.get('/api/rds/DescribeDBInstances?RegionId=cn-shanghai')).json();
  const other: string = listed.Items.DBInstance[0].DBInstanceId;
  await page.goto(`/regions/cn-shanghai/instances/${other}`);
  await expect(byTestId(page, 'task-table')).toBeVisible();
  // An instance the service does not know is not saved.
  await page.goto('/regions/cn-hangzhou/instances/pgm-doesnotexist0000');
  await expect(byTestId(page, 'error-panel')).toBeVisible();
  await page.goto('/');
  const links = byTestId(page, 'recent-link');
  await expect(links).toHaveCount(2);
  await expect(links.first()).toHaveText(other);
  await expect(links.nth(1)).toHaveText(INSTANCE);
  expect(await page.evaluate(() => localStorage.getItem('migration-dashboard.recent'))).toContain(INSTANCE);

  await links.nth(1).click();
  await tableReady(page);
  await page.goBack();
  await byTestId(page, 'recent-clear').click();
  await expect(byTestId(page, 'recent')).toHaveCount(0);
  await page.reload();
  await expect(byTestId(page, 'instance-form')).toBeVisible();
  await expect(byTestId(page, 'recent')).toHaveCount(0);
});

test('an unknown address says so and leads back', async ({ page }) => {
  await page.goto('/no/such/page');
  await expect(byTestId(page, 'not-found')).toBeVisible();
  await page.getByRole('link', { name: 'Go to the start page' }).click();
  await expect(byTestId(page, 'instance-form')).toBeVisible();
});
