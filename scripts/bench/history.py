"""The `history` section of `make bench` (called by run.py): the watcher's and the store's figures.

* ingest: one poll of a 5,000-task instance (diff, state and store transaction), CPU and wall
  time and rows written, on SQLite and on a private PostgreSQL (the `history` bench binary);
* bytes: the demo instance polled every 30 s over a simulated day (6 hours with BENCH_QUICK),
  bytes per task-day for busy and steady tasks, per backend: the growth over the run's second
  half, so a short run is not weighed down by the schema's fixed pages (the whole run's average
  is printed beside it);
* calls: upstream calls per minute from 500 dashboards polling one instance's first page, with
  the watcher off and with the watcher on that instance, time compressed like the scale section
  (dashboards every 5 s, cache 2 s, watcher every 30 s, all divided by 5).
"""
import glob
import os
import shutil
import subprocess
import tempfile
import time

REGION = "cn-hangzhou"
DEMO_INSTANCE = "pgm-bp102g323jd4demo"


def _free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivatePg:
    """Debian's PostgreSQL in a temporary directory on a free loopback port, run as the
    `postgres` user when we are root (initdb refuses root), stopped by stop()."""

    def __init__(self, log):
        versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
        if not versions:
            raise RuntimeError("no PostgreSQL under /usr/lib/postgresql (make setup installs it)")
        self.bin = versions[-1]
        self.dir = tempfile.mkdtemp(prefix="history-bench-pg-")
        self.port = _free_port()
        self.log = log
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
            self.pre = ["runuser", "-u", "postgres", "--"]
        else:
            self.pre = []
        data = os.path.join(self.dir, "data")
        self._run([f"{self.bin}/initdb", "-D", data, "-A", "trust", "-U", "app"])
        self._run([f"{self.bin}/pg_ctl", "-D", data, "-o",
                   f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1",
                   "-l", os.path.join(self.dir, "log"), "-w", "start"])

    def _run(self, argv):
        out = subprocess.run(self.pre + argv, capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            raise RuntimeError(f"{argv[0]}: {out.stderr[-2000:]}")

    def url(self, db="postgres"):
        return f"postgres://app@127.0.0.1:{self.port}/{db}"

    def fresh_db(self, name):
        self._run([f"{self.bin}/psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "app", "-d", "postgres",
                   "-c", f"CREATE DATABASE {name}"])
        return self.url(name)

    def stop(self):
        try:
            self._run([f"{self.bin}/pg_ctl", "-D", os.path.join(self.dir, "data"), "-m", "fast", "-w", "stop"])
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def _bench(binary, *args, timeout=900):
    import json
    out = subprocess.run([binary, *[str(a) for a in args]], capture_output=True, text=True, timeout=timeout)
    if out.returncode != 0:
        raise RuntimeError(f"history bench {args[0]} failed: {out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def history(bench, metrics, upstream_calls, log):
    a = bench.a
    quick = bench.quick
    out = {"ingest": {}, "bytes": {}}
    hours = 6 if quick else 24
    polls = 3 if quick else 7
    work = bench.workdir
    # SQLite.
    out["ingest"]["sqlite"] = _bench(a.history_bench, "ingest", "--tasks", 5000, "--polls", polls,
                                     "--dir", os.path.join(work, "hist-ingest"))
    log(f"history: ingest sqlite {out['ingest']['sqlite']['steady']}")
    out["bytes"]["sqlite"] = _bench(a.history_bench, "bytes", "--hours", hours, "--dir", os.path.join(work, "hist-bytes"))
    # PostgreSQL, when it is installed.
    try:
        pg = PrivatePg(os.path.join(work, "pg.log"))
    except Exception as e:  # noqa: BLE001 - reported, the other figures stand
        out["postgres_error"] = str(e)
        pg = None
    if pg is not None:
        try:
            out["ingest"]["postgres"] = _bench(a.history_bench, "ingest", "--tasks", 5000, "--polls", polls,
                                               "--pg", pg.fresh_db("ingest"))
            log(f"history: ingest postgres {out['ingest']['postgres']['steady']}")
            out["bytes"]["postgres"] = _bench(a.history_bench, "bytes", "--hours", hours, "--pg", pg.fresh_db("bytes"))
        finally:
            pg.stop()

    # Upstream calls: 500 dashboards on one instance, the watcher off, then on.
    k = 5
    # BENCH_QUICK: half a simulated minute each (one watcher poll): a rough figure.
    sim_minutes = 0.5 if quick else 2
    period_ms, ttl_ms, watch_ms = 5000 // k, 2000 // k, 30000 // k
    duration = sim_minutes * 60 / k
    page = f"/api/rds/DescribeCloudMigrationResult?RegionId={REGION}&DBInstanceName={DEMO_INSTANCE}"
    sim, sim_url = bench.simulator("history-sim")
    calls = {}
    try:
        for name, extra in (
            ("watcher_off", ["--no-auto-watch"]),
            ("watcher_on", ["--watch", f"{REGION}/{DEMO_INSTANCE}", "--test-watch-interval-ms", str(watch_ms)]),
        ):
            proxy, base = bench.proxy(f"history-{name}", sim_url, ["--cache-ttl-ms", str(ttl_ms), *extra])
            try:
                before = upstream_calls(metrics(base))[0]
                r = bench.loadgen("poll", "--url", base + page, "--clients", 500, "--period-ms", period_ms,
                                  "--duration-s", duration, "--threads", 1, "--seed", 500, timeout=duration + 60)
                m = metrics(base)
                total = upstream_calls(m)[0] - before
                polls_ok = sum(v for key, v in m.items() if key.startswith('migration_proxy_watch_polls_total{outcome="ok"'))
                calls[name] = {"upstream_calls_per_min": total / sim_minutes, "dashboard_polls": r["all"]["count"],
                               "failed": r["all"]["non_2xx"] + r["all"]["errors"], "watcher_polls": int(polls_ok)}
                log(f"history: {name}: {total} upstream calls in {sim_minutes} simulated min")
            finally:
                bench.procs.stop(proxy)
    finally:
        bench.procs.stop(sim)
    out["calls"] = {"compression": k, "simulated_minutes": sim_minutes, "dashboards": 500, **calls}
    return out
