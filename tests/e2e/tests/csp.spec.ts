import { test, expect } from './fixtures';
import { byTestId, INSTANCE_PATH, tableReady, TASK_PATH, urls } from './helpers';

test.use({ baseURL: urls.base });

// The proxy serves `style-src 'self'` and a hashed boot script: the app must never need inline
// styles or scripts, whatever page or state it shows.
test('no page breaks the strict CSP or logs an error', async ({ page }) => {
  const problems: string[] = [];
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  page.on('console', (m) => {
    // The browser asks for /favicon.ico, which the app does not have.
    if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico')) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));

  const csp = (await page.goto('/'))?.headers()['content-security-policy'] ?? '';
  expect(csp).toContain("style-src 'self'");
  await expect(byTestId(page, 'instance-row').first()).toBeVisible();
  await page.goto(INSTANCE_PATH);
  await tableReady(page);
  await byTestId(page, 'sort-lag').click();
  await byTestId(page, 'tab-prechecks').click();
  await byTestId(page, 'toggle-checks').first().click();
  await expect(byTestId(page, 'checklist').first()).toBeVisible();
  await page.goto(TASK_PATH);
  await expect(byTestId(page, 'lag-chart').locator('svg')).toBeVisible();
  await page.getByText('Raw JSON').click();
  await byTestId(page, 'theme-toggle').click();
  await byTestId(page, 'lang-select').selectOption('id');
  await expect(byTestId(page, 'summary')).toContainText('Ringkasan');
  expect(problems).toEqual([]);
});
