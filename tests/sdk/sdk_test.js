// Alibaba Cloud's official Node SDKs (@alicloud/rds20140815, @alicloud/sts20150401 on
// @alicloud/openapi-core), pointed at the RDS simulator, judge it: every implemented RDS action in
// both signature styles (signatureAlgorithm 'v2' = RPC SignatureVersion 1.0, default = V3
// ACS3-HMAC-SHA256), STS AssumeRole and RDS calls with its temporary credentials, the service's
// error codes, and throttling recognised as such (second simulator, --fault-throttle-rate 1).
//
// Usage: node sdk_test.js ENDPOINT THROTTLED_ENDPOINT   (each host:port, plain http)
// Run by scripts/sdk-test.sh. Prints one line per check and "N passed, 0 failed" at the end.
'use strict';

const assert = require('node:assert/strict');
const Rds = require('@alicloud/rds20140815');
const Sts = require('@alicloud/sts20150401');
const { $OpenApiUtil, ThrottlingError } = require('@alicloud/openapi-core');

const RdsClient = Rds.default;
const StsClient = Sts.default;
const DEMO_ID = 'demo-access-key-id';
const DEMO_SECRET = 'demo-access-key-secret';
const DEMO_INSTANCE = 'pgm-bp102g323jd4demo';
const SEED_TASK_ID = 440437220;
const ROLE_ARN = 'acs:ram::5123456789012345:role/migration-reader';

let passed = 0;
let failed = 0;

async function check(name, fn) {
  try {
    await fn();
    passed += 1;
    console.log(`ok   ${name}`);
  } catch (e) {
    failed += 1;
    console.log(`FAIL ${name}: ${e && e.stack ? e.stack.split('\n').slice(0, 3).join(' | ') : e}`);
  }
}

function config(endpoint, style, { keyId = DEMO_ID, secret = DEMO_SECRET, token } = {}) {
  const c = new $OpenApiUtil.Config({
    accessKeyId: keyId,
    accessKeySecret: secret,
    securityToken: token,
    endpoint,
    protocol: 'http',
    regionId: 'cn-hangzhou',
    readTimeout: 10000,
    connectTimeout: 5000,
  });
  if (style === 'v2') {
    c.signatureAlgorithm = 'v2';
  }
  return c;
}

async function expectError(fn, code, status) {
  try {
    await fn();
  } catch (e) {
    assert.equal(e.code, code, `code ${e.code}, wanted ${code}: ${e.message}`);
    assert.equal(e.statusCode, status, `status ${e.statusCode}, wanted ${status}`);
    return e;
  }
  throw new Error(`no error, wanted ${code}`);
}

function tasksOf(client) {
  return async (extra = {}) => {
    const req = new Rds.DescribeCloudMigrationResultRequest({ DBInstanceName: DEMO_INSTANCE, pageNumber: 1, pageSize: 30, ...extra });
    return (await client.describeCloudMigrationResult(req)).body;
  };
}

async function rdsChecks(endpoint, style, creds = {}) {
  const client = new RdsClient(config(endpoint, style, creds));
  const tasks = tasksOf(client);
  const label = `[${style}${creds.token ? ' sts' : ''}]`;

  await check(`${label} first page holds the seed task`, async () => {
    const body = await tasks();
    assert.equal(body.items[0].taskId, SEED_TASK_ID);
    assert.equal(body.items[0].migrateStage, 'switch');
    assert.equal(body.items[0].replicationState, 'streaming');
    assert.equal(body.items[0].targetInstanceName, DEMO_INSTANCE);
    assert.equal(body.items.length, 30);
    assert.ok(body.totalSize > 30);
    assert.equal(body.requestId.length, 36);
  });

  await check(`${label} paging`, async () => {
    const first = await tasks({ pageSize: 10 });
    const second = await tasks({ pageSize: 10, pageNumber: 2 });
    assert.equal(first.totalSize, second.totalSize);
    const ids1 = new Set(first.items.map((t) => t.taskId));
    const ids2 = second.items.map((t) => t.taskId);
    assert.equal(ids1.size, 10);
    assert.equal(ids2.length, 10);
    assert.ok(ids2.every((id) => !ids1.has(id)));
    const past = await tasks({ pageSize: 100, pageNumber: 1000 });
    assert.equal(past.items.length, 0);
  });

  await check(`${label} filters`, async () => {
    const seed = await tasks({ taskId: SEED_TASK_ID });
    assert.equal(seed.totalSize, 1);
    assert.equal(seed.items[0].taskName, '362c6c7a-4d20-4eac-898c-1495ceab374c');
    const port = await tasks({ sourcePort: 5433, pageSize: 100 });
    assert.ok(port.totalSize >= 1);
    assert.ok(port.items.every((t) => t.sourcePort === 5433));
    const ip = (await tasks()).items[3].sourceIpAddress;
    const byIp = await tasks({ sourceIpAddress: ip, pageSize: 100 });
    assert.ok(byIp.totalSize >= 1 && byIp.items.every((t) => t.sourceIpAddress === ip));
    const none = await tasks({ sourceIpAddress: ip, sourcePort: 1 });
    assert.equal(none.totalSize, 0);
  });

  await check(`${label} DescribeCloudMigrationPrecheckResult`, async () => {
    const req = new Rds.DescribeCloudMigrationPrecheckResultRequest({ DBInstanceName: DEMO_INSTANCE, pageNumber: 1, pageSize: 30 });
    const body = (await client.describeCloudMigrationPrecheckResult(req)).body;
    assert.ok(body.totalSize > 30);
    assert.equal(body.items.length, 30);
    assert.ok(body.items.some((i) => i.detail.includes('*Migrate check success*')));
  });

  await check(`${label} DescribeDBInstances`, async () => {
    const req = new Rds.DescribeDBInstancesRequest({ regionId: 'cn-hangzhou', engine: 'PostgreSQL', pageNumber: 1, pageSize: 30 });
    const body = (await client.describeDBInstances(req)).body;
    const ids = body.items.DBInstance.map((i) => i.DBInstanceId);
    assert.ok(ids.includes(DEMO_INSTANCE), ids.join(','));
    assert.equal(body.totalRecordCount, ids.length);
  });

  await check(`${label} DescribeRegions`, async () => {
    const body = (await client.describeRegions(new Rds.DescribeRegionsRequest({}))).body;
    const ids = new Set(body.regions.RDSRegion.map((r) => r.regionId));
    for (const r of ['cn-hangzhou', 'cn-shanghai', 'ap-southeast-1']) {
      assert.ok(ids.has(r), r);
    }
  });

  await check(`${label} errors`, async () => {
    await expectError(() => tasks({ DBInstanceName: 'pgm-nosuchinstance' }), 'InvalidDBInstanceName.NotFound', 404);
    await expectError(() => tasks({ pageSize: 500 }), 'InvalidPageSize', 400);
  });
}

async function main() {
  const [endpoint, throttled] = process.argv.slice(2);
  for (const style of ['v2', 'v3']) {
    await rdsChecks(endpoint, style);

    await check(`[${style}] a wrong secret gets SignatureDoesNotMatch`, async () => {
      const client = new RdsClient(config(endpoint, style, { secret: 'not-the-secret' }));
      const e = await expectError(() => tasksOf(client)(), 'SignatureDoesNotMatch', 400);
      assert.ok(!String(e.message).includes('not-the-secret'));
    });

    await check(`[${style}] an unknown AccessKey gets InvalidAccessKeyId.NotFound`, async () => {
      const client = new RdsClient(config(endpoint, style, { keyId: 'no-such-key' }));
      await expectError(() => tasksOf(client)(), 'InvalidAccessKeyId.NotFound', 404);
    });

    await check(`[${style}] throttling is recognised by the SDK`, async () => {
      const client = new RdsClient(config(throttled, style));
      const e = await expectError(() => tasksOf(client)(), 'Throttling.User', 400);
      assert.ok(e instanceof ThrottlingError, `a ${e.constructor.name}`);
      assert.ok(e.retryAfter > 0, `retryAfter ${e.retryAfter}`);
    });

    let creds = null;
    await check(`[${style}] STS AssumeRole`, async () => {
      const client = new StsClient(config(endpoint, style));
      const req = new Sts.AssumeRoleRequest({ roleArn: ROLE_ARN, roleSessionName: 'sdk-test', durationSeconds: 900 });
      const body = (await client.assumeRole(req)).body;
      const c = body.credentials;
      assert.ok(c.accessKeyId.startsWith('STS.') && c.securityToken && c.expiration.endsWith('Z'));
      assert.equal(body.assumedRoleUser.arn, `${ROLE_ARN}/sdk-test`);
      creds = { keyId: c.accessKeyId, secret: c.accessKeySecret, token: c.securityToken };
    });
    if (creds) {
      await rdsChecks(endpoint, style, creds);
      await check(`[${style}] STS credentials without their token are refused`, async () => {
        const client = new RdsClient(config(endpoint, style, { keyId: creds.keyId, secret: creds.secret }));
        await expectError(() => tasksOf(client)(), 'InvalidSecurityToken.Malformed', 400);
      });
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.log(`FAIL ${e && e.stack}`);
  process.exit(1);
});
