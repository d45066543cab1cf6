import { chromium } from '@playwright/test';
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
for (const [name, path, w, scheme] of [['home', '/', 1280, 'light'], ['alerts', '/alerts', 1280, 'dark'], ['task', '/regions/cn-hangzhou/instances/pgm-bp102g323jd4demo/tasks/440462187', 1280, 'light'], ['home360', '/', 360, 'dark']]) {
  const p = await b.newPage({ viewport: { width: w, height: 900 }, colorScheme: scheme });
  await p.goto('http://127.0.0.1:18731' + path);
  await p.waitForTimeout(3000);
  if (name === 'task') await p.locator('[data-testid="task-alerts"]').scrollIntoViewIfNeeded();
  await p.screenshot({ path: `/tmp/alertsui-try/${name}.png`, fullPage: name !== 'task' });
}
await b.close();
