"""Alibaba Cloud's official Python SDKs, pointed at the RDS simulator, judge it.

Every implemented RDS action is called in both signature styles (RPC "v2" = SignatureVersion 1.0,
and the default V3 ACS3-HMAC-SHA256), with real outcomes asserted: the seed task first on page 1,
paging and filters, the service's error codes; then STS AssumeRole through the official STS SDK,
whose short-lived credentials (with their SecurityToken) the simulator accepts for RDS calls; and
throttling, recognised by the SDK as such, against a second simulator started with
--fault-throttle-rate 1.

Usage: sdk_test.py ENDPOINT THROTTLED_ENDPOINT   (each host:port, plain http)
Run by scripts/sdk-test.sh. Prints one line per check and "N passed, 0 failed" at the end.
"""
import sys

from alibabacloud_rds20140815 import models as rds
from alibabacloud_rds20140815.client import Client as RdsClient
from alibabacloud_sts20150401 import models as sts
from alibabacloud_sts20150401.client import Client as StsClient
from alibabacloud_tea_openapi import models as openapi
from alibabacloud_tea_openapi.exceptions import ThrottlingException
from darabonba.exceptions import ResponseException

DEMO_ID = "demo-access-key-id"
DEMO_SECRET = "demo-access-key-secret"
DEMO_INSTANCE = "pgm-bp102g323jd4demo"
SEED_TASK_ID = 440437220
ROLE_ARN = "acs:ram::5123456789012345:role/migration-reader"

passed = 0
failed = 0


class CheckFailed(Exception):
    pass


def require(condition, message="check failed"):
    """A check that holds under PYTHONOPTIMIZE too (a bare assert is compiled away there)."""
    if not condition:
        raise CheckFailed(message)


def check(name, fn):
    global passed, failed
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - report every failure, keep going
        failed += 1
        print(f"FAIL {name}: {type(e).__name__}: {e}")
    else:
        passed += 1
        print(f"ok   {name}")


def config(endpoint, style, key_id=DEMO_ID, secret=DEMO_SECRET, token=None):
    c = openapi.Config(
        access_key_id=key_id,
        access_key_secret=secret,
        security_token=token,
        endpoint=endpoint,
        protocol="http",
        region_id="cn-hangzhou",
        read_timeout=10000,
        connect_timeout=5000,
    )
    if style == "v2":
        c.signature_algorithm = "v2"
    return c


def rds_client(endpoint, style, **kw):
    return RdsClient(config(endpoint, style, **kw))


def expect_error(fn, code, status):
    try:
        fn()
    except ResponseException as e:
        require(e.code == code, f"code {e.code!r}, wanted {code!r}")
        require(e.status_code == status, f"status {e.status_code}, wanted {status}")
        return e
    raise AssertionError(f"no error, wanted {code}")


def tasks(client, **kw):
    req = rds.DescribeCloudMigrationResultRequest(dbinstance_name=DEMO_INSTANCE, page_number=1, page_size=30)
    for k, v in kw.items():
        setattr(req, k, v)
    return client.describe_cloud_migration_result(req).body


def rds_checks(endpoint, style, **kw):
    client = rds_client(endpoint, style, **kw)
    label = f"[{style}{' sts' if kw.get('token') else ''}]"

    def first_page():
        body = tasks(client)
        require(body.items[0].task_id == SEED_TASK_ID, body.items[0].task_id)
        require(body.items[0].migrate_stage == "switch" and body.items[0].replication_state == "streaming")
        require(body.items[0].target_instance_name == DEMO_INSTANCE)
        require(len(body.items) == 30 and body.total_size > 30, (len(body.items), body.total_size))
        require(body.page_number == 1 and body.page_size == 30)
        require(len(body.request_id) == 36)

    def paging():
        first, second = tasks(client, page_size=10), tasks(client, page_size=10, page_number=2)
        require(first.total_size == second.total_size)
        ids1, ids2 = {t.task_id for t in first.items}, {t.task_id for t in second.items}
        require(len(ids1) == 10 and len(ids2) == 10 and not ids1 & ids2)
        last = tasks(client, page_size=100, page_number=1)
        require(len(last.items) == min(100, last.total_size))

    def filters():
        seed = tasks(client, task_id=SEED_TASK_ID)
        require(seed.total_size == 1 and seed.items[0].task_name == "362c6c7a-4d20-4eac-898c-1495ceab374c")
        by_name = tasks(client, task_name="362c6c7a-4d20-4eac-898c-1495ceab374c")
        require(by_name.total_size == 1)
        port = tasks(client, source_port=5433, page_size=100)
        require(port.total_size >= 1 and all(t.source_port == 5433 for t in port.items))
        ip = tasks(client).items[3].source_ip_address
        by_ip = tasks(client, source_ip_address=ip, page_size=100)
        require(by_ip.total_size >= 1 and all(t.source_ip_address == ip for t in by_ip.items))
        none = tasks(client, source_ip_address=ip, source_port=1)
        require(none.total_size == 0 and not none.items)

    def prechecks():
        req = rds.DescribeCloudMigrationPrecheckResultRequest(dbinstance_name=DEMO_INSTANCE, page_number=1, page_size=30)
        body = client.describe_cloud_migration_precheck_result(req).body
        require(body.total_size > 30 and len(body.items) == 30)
        details = [i.detail for i in body.items]
        require(any("*Migrate check success*" in d for d in details))
        require(any("warning(" in d for d in details))

    def instances():
        req = rds.DescribeDBInstancesRequest(region_id="cn-hangzhou", engine="PostgreSQL", page_size=30, page_number=1)
        body = client.describe_dbinstances(req).body
        ids = [i.dbinstance_id for i in body.items.dbinstance]
        require(DEMO_INSTANCE in ids, ids)
        require(body.total_record_count == len(ids))
        one = client.describe_dbinstances(rds.DescribeDBInstancesRequest(region_id="cn-hangzhou", page_size=1, page_number=2)).body
        require(len(one.items.dbinstance) == 1 and one.total_record_count == len(ids))

    def regions():
        body = client.describe_regions(rds.DescribeRegionsRequest()).body
        ids = {r.region_id for r in body.regions.rdsregion}
        require({"cn-hangzhou", "cn-shanghai", "ap-southeast-1"} <= ids, ids)

    def errors():
        expect_error(lambda: tasks(client, dbinstance_name="pgm-nosuchinstance"), "InvalidDBInstanceName.NotFound", 404)
        expect_error(lambda: tasks(client, page_size=500), "InvalidPageSize", 400)

    for name, fn in [("first page holds the seed task", first_page), ("paging", paging), ("filters", filters),
                     ("DescribeCloudMigrationPrecheckResult", prechecks), ("DescribeDBInstances", instances),
                     ("DescribeRegions", regions), ("errors", errors)]:
        check(f"{label} {name}", fn)


def main():
    endpoint, throttled = sys.argv[1], sys.argv[2]
    for style in ("v2", "v3"):
        rds_checks(endpoint, style)

        def wrong_secret():
            e = expect_error(lambda: tasks(rds_client(endpoint, style, secret="not-the-secret")), "SignatureDoesNotMatch", 400)
            require("not-the-secret" not in str(e))

        def unknown_key():
            expect_error(lambda: tasks(rds_client(endpoint, style, key_id="no-such-key")), "InvalidAccessKeyId.NotFound", 404)

        check(f"[{style}] a wrong secret gets SignatureDoesNotMatch", wrong_secret)
        check(f"[{style}] an unknown AccessKey gets InvalidAccessKeyId.NotFound", unknown_key)

        def throttling():
            try:
                tasks(rds_client(throttled, style))
            except ThrottlingException as e:
                require(e.code == "Throttling.User" and e.status_code == 400, (e.code, e.status_code))
                require(e.retry_after and e.retry_after > 0, e.retry_after)
                return
            raise AssertionError("not throttled")

        check(f"[{style}] throttling is recognised by the SDK", throttling)

        # STS through the official STS SDK, then RDS with the temporary credentials.
        creds = {}

        def assume_role():
            client = StsClient(config(endpoint, style))
            req = sts.AssumeRoleRequest(role_arn=ROLE_ARN, role_session_name="sdk-test", duration_seconds=900)
            body = client.assume_role(req).body
            c = body.credentials
            require(c.access_key_id.startswith("STS.") and c.security_token and c.expiration.endswith("Z"))
            require(body.assumed_role_user.arn == ROLE_ARN + "/sdk-test")
            creds.update(key_id=c.access_key_id, secret=c.access_key_secret, token=c.security_token)

        check(f"[{style}] STS AssumeRole", assume_role)
        if creds:
            rds_checks(endpoint, style, **creds)

            def no_token():
                expect_error(lambda: tasks(rds_client(endpoint, style, key_id=creds["key_id"], secret=creds["secret"])),
                             "InvalidSecurityToken.Malformed", 400)

            check(f"[{style}] STS credentials without their token are refused", no_token)

    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
