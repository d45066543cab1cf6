#!/usr/bin/env python3
"""The measurements of `make bench` (started by scripts/bench.sh, which builds first).

Everything runs on 127.0.0.1: the real proxy binary, the real simulator (`migration-proxy
simulate`), Debian's nginx (as the fixed upstream and as the pass-through floor), wrk, the load
generator bench binary (proxy/benches/loadgen.rs) and headless Chromium. Every process started
here is recorded in a pid file (scripts/bench.sh stops them on exit too) and stopped when its
section ends; every wait and every run has a time bound.

Writes one JSON document with every figure (the report is scripts/bench/report.py).
"""
import argparse
import datetime
import glob
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
HERE = os.path.dirname(os.path.abspath(__file__))
DEMO_KEY_ID = "demo-access-key-id"
DEMO_KEY_SECRET = "demo-access-key-secret"
REGION = "cn-hangzhou"
DEMO_INSTANCE = "pgm-bp102g323jd4demo"
BENCH_INSTANCE = "pgm-bp1scalebenchdemo"
# The page a dashboard shows first: what the app asks the proxy for.
PAGE_QUERY = f"RegionId={REGION}&DBInstanceName={DEMO_INSTANCE}&PageNumber=1&PageSize=30"
API_PAGE = f"/api/rds/DescribeCloudMigrationResult?{PAGE_QUERY}"


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=5.0):
    """(status, headers, body) of a GET; HTTP errors are answers too."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def proc_status(pid, field):
    """A /proc/PID/status field in kB (VmRSS, VmHWM), or None."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def mb(kb):
    """kB (as /proc prints, 1024 bytes) to MB (10^6 bytes)."""
    return None if kb is None else round(kb * 1024 / 1e6, 1)


def metrics(base):
    """The proxy's /metrics as {name{labels}: value}."""
    _, _, body = http_get(base + "/metrics")
    out = {}
    for line in body.decode().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        key, _, value = line.rpartition(" ")
        try:
            out[key] = float(value)
        except ValueError:
            pass
    return out


def metric_sum(m, prefix):
    return sum(v for k, v in m.items() if k == prefix or k.startswith(prefix + "{"))


def upstream_calls(m):
    """Upstream calls (each with its retries) and upstream attempts, from the proxy's metrics."""
    calls = metric_sum(m, "migration_proxy_upstream_duration_seconds_count")
    retries = metric_sum(m, "migration_proxy_upstream_retries_total")
    return int(calls), int(calls + retries)


def page_calls(m, action="DescribeCloudMigrationResult"):
    """Upstream calls (without retries) for one action: in `scale`, the dashboards' page. The
    rest are the history watcher's own reads of the auto-watched instance (its precheck reports,
    once per watcher poll), which do not depend on the number of dashboards."""
    return int(m.get(f'migration_proxy_upstream_duration_seconds_count{{action="{action}"}}', 0))


def cache_outcomes(m):
    out = {}
    for k, v in m.items():
        mm = re.match(r'migration_proxy_cache_answers_total\{outcome="(\w+)"\}', k)
        if mm:
            out[mm.group(1)] = int(v)
    return out


class Procs:
    """Starts processes with logs in the work dir and a pid file, and stops them."""

    def __init__(self, workdir, pidfile):
        self.workdir = workdir
        self.pidfile = pidfile
        self.live = []

    def start(self, name, argv, env=None):
        logf = open(os.path.join(self.workdir, f"{name}.log"), "ab")
        p = subprocess.Popen(argv, stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, cwd=ROOT)
        p.bench_name = name
        with open(self.pidfile, "a") as f:
            f.write(f"{p.pid}\n")
        self.live.append(p)
        return p

    def stop(self, p):
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=5)
        if p in self.live:
            self.live.remove(p)

    def stop_all(self):
        for p in list(reversed(self.live)):
            self.stop(p)

    def tail(self, name, n=30):
        try:
            with open(os.path.join(self.workdir, f"{name}.log"), errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""


def clean_env(**extra):
    """The environment without any MIGRATION_PROXY_* or ALIBABA_CLOUD_* setting of the caller."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MIGRATION_PROXY_", "ALIBABA_CLOUD_"))}
    env.update(extra)
    return env


class Bench:
    def __init__(self, args):
        self.a = args
        self.quick = args.quick
        self.workdir = args.workdir
        self.procs = Procs(args.workdir, args.pidfile)
        self.results = {}

    # ---- processes -------------------------------------------------------------------------

    def wait_up(self, p, url, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if p.poll() is not None:
                raise RuntimeError(f"{p.bench_name} exited:\n{self.procs.tail(p.bench_name)}")
            try:
                http_get(url, timeout=1)
                return
            except (urllib.error.URLError, ConnectionError, socket.timeout, OSError):
                time.sleep(0.1)
        raise RuntimeError(f"{p.bench_name} did not answer on {url} within {timeout} s:\n{self.procs.tail(p.bench_name)}")

    def simulator(self, name, extra=()):
        port = free_port()
        p = self.procs.start(name, [self.a.proxy, "simulate", "--listen", f"127.0.0.1:{port}", *extra], env=clean_env())
        url = f"http://127.0.0.1:{port}"
        self.wait_up(p, url + "/")
        return p, url

    def proxy(self, name, upstream, extra=(), dist=None):
        port = free_port()
        argv = [
            self.a.proxy, "serve", "--listen", f"127.0.0.1:{port}", "--rds-endpoint", upstream,
            "--audit-log", "off", "--dist", dist or os.path.join(self.workdir, "no-dist"),
            # The per-caller bucket is checked on every call but never empties: the load comes
            # from one address, far above what a caller is allowed.
            "--rate-limit-per-sec", "4000000000", "--rate-limit-burst", "4000000000",
            # Each proxy its own history store (SQLite: one proxy per directory).
            "--data-dir", os.path.join(self.workdir, f"data-{name}"), *extra,
        ]
        env = clean_env(ALIBABA_CLOUD_ACCESS_KEY_ID=DEMO_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET=DEMO_KEY_SECRET)
        p = self.procs.start(name, argv, env=env)
        url = f"http://127.0.0.1:{port}"
        self.wait_up(p, url + "/healthz")
        return p, url

    def nginx(self, name, server_block):
        d = os.path.join(self.workdir, name)
        os.makedirs(os.path.join(d, "tmp"), exist_ok=True)
        conf = f"""
worker_processes auto;  # Debian's default
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  client_body_temp_path {d}/tmp; proxy_temp_path {d}/tmp; fastcgi_temp_path {d}/tmp;
  uwsgi_temp_path {d}/tmp; scgi_temp_path {d}/tmp;
{server_block}
}}
"""
        path = os.path.join(d, "nginx.conf")
        with open(path, "w") as f:
            f.write(conf)
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        p = self.procs.start(name, [nginx, "-e", f"{d}/error.log", "-p", d, "-c", path, "-g", "daemon off;"])
        return p

    # ---- tools -----------------------------------------------------------------------------

    def wrk(self, url, duration, conns=2, threads=1, method="GET", unique=False):
        env = dict(os.environ, WRK_METHOD=method, WRK_UNIQUE="1" if unique else "0")
        cmd = ["wrk", f"-t{threads}", f"-c{conns}", f"-d{duration}s", "--latency", "--timeout", "5s",
               "-s", os.path.join(HERE, "wrk-report.lua"), url]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 30, env=env)
        line = next((l for l in out.stdout.splitlines() if l.startswith("BENCHJSON ")), None)
        if out.returncode != 0 or line is None:
            raise RuntimeError(f"wrk failed on {url}: {out.stdout}\n{out.stderr}")
        r = json.loads(line[len("BENCHJSON "):])
        r["rps"] = r["requests"] / max(r["duration_us"] / 1e6, 1e-9)
        r["errors"] = sum(r[k] for k in ("errors_connect", "errors_read", "errors_write", "errors_timeout"))
        return r

    def loadgen(self, mode, *args, timeout):
        cmd = [self.a.loadgen, mode, *[str(x) for x in args]]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if out.returncode != 0:
            raise RuntimeError(f"loadgen failed: {out.stderr}")
        return json.loads(out.stdout.strip().splitlines()[-1])

    # ---- sections --------------------------------------------------------------------------

    def bundle(self):
        dist = self.a.dist
        files = []
        for name in sorted(os.listdir(dist)):
            path = os.path.join(dist, name)
            if not os.path.isfile(path) or name.endswith((".gz", ".br")):
                continue
            # The same settings as scripts/build-app.sh, whose .gz/.br files the proxy serves.
            gz = subprocess.run(["gzip", "-9", "-n", "-c", path], capture_output=True, check=True, timeout=120).stdout
            br = subprocess.run(["brotli", "-q", "11", "-c", path], capture_output=True, check=True, timeout=120).stdout
            files.append({"file": name, "raw": os.path.getsize(path), "gzip": len(gz), "brotli": len(br)})
        total = {k: sum(f[k] for f in files) for k in ("raw", "gzip", "brotli")}
        out = {"dir": os.path.relpath(dist, ROOT), "files": files, "total": total, "budget_brotli_bytes": 350_000}
        names = getattr(self.a, "names_wasm", None)
        if names and os.path.isfile(names) and shutil.which("twiggy"):
            out["wasm_top"] = wasm_contributors(names)
        return out

    def browser(self):
        sim, sim_url = self.simulator("browser-sim", ["--bench-instance-tasks", "5000"])
        proxy, base = self.proxy("browser-proxy", sim_url, dist=self.a.dist)
        try:
            runs = 3 if self.quick else self.a.browser_runs
            cmd = ["node", os.path.join(HERE, "browser.mjs"), "--base", base, "--runs", str(runs),
                   "--instance", DEMO_INSTANCE, "--big-instance", BENCH_INSTANCE]
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=ROOT)
            if out.returncode != 0:
                raise RuntimeError(f"browser.mjs failed: {out.stderr[-3000:]}")
            return json.loads(out.stdout.strip().splitlines()[-1])
        finally:
            self.procs.stop(proxy)
            self.procs.stop(sim)

    def fixed_upstream(self):
        """nginx serving the seed's example answer (2.5 KB of JSON) for any method (the proxy POSTs,
        as the SDKs do), up and answering: (process, url, port). Shared by the proxy section and
        the miss-path tools (miss_profile.py, miss_instr.py)."""
        www = os.path.join(self.workdir, "www")
        os.makedirs(www, exist_ok=True)
        shutil.copy(os.path.join(HERE, "seed-example.json"), os.path.join(www, "seed.json"))
        for p in (self.workdir, www, os.path.join(www, "seed.json")):
            os.chmod(p, 0o755 if os.path.isdir(p) else 0o644)  # nginx workers may run as nobody
        port = free_port()
        upstream = self.nginx("nginx-upstream", f"""
  server {{
    listen 127.0.0.1:{port};
    location / {{
      root {www};
      default_type application/json;
      try_files /seed.json =404;
      error_page 405 =200 /seed.json;
    }}
  }}""")
        url = f"http://127.0.0.1:{port}"
        self.wait_up(upstream, url + "/")
        return upstream, url, port

    def nginx_passthrough(self, up_port):
        """The floor: a plain nginx reverse proxy in front of the fixed upstream (keep-alive to it,
        as the proxy), up and answering: (process, url)."""
        port = free_port()
        passthrough = self.nginx("nginx-passthrough", f"""
  upstream fixed {{ server 127.0.0.1:{up_port}; keepalive 64; keepalive_requests 1000000; }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://fixed;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }}
  }}""")
        url = f"http://127.0.0.1:{port}"
        self.wait_up(passthrough, url + "/")
        return passthrough, url

    def proxy_latency(self):
        """Added latency over the fixed upstream (nginx serving the seed's example answer), for
        nginx as a pass-through and for the proxy on a cache miss and a cache hit."""
        upstream, up_url, up_port = self.fixed_upstream()
        passthrough, pass_url = self.nginx_passthrough(up_port)
        miss, miss_url = self.proxy("proxy-miss", up_url, ["--cache-ttl-ms", "0"])
        hit, hit_url = self.proxy("proxy-hit", up_url, ["--cache-ttl-ms", "3600000"])
        # The default settings under a stream of distinct keys: every request a miss that is
        # stored, so the cache fills up (10,000 entries) and then evicts on every store.
        dflt, dflt_url = self.proxy("proxy-miss-default", up_url)
        try:
            # What the proxy sends upstream is a signed POST to / with the call in the query
            # string; "direct" sends the same kind of request (unsigned: nginx does not check).
            upstream_target = f"/?Action=DescribeCloudMigrationResult&Version=2014-08-15&{PAGE_QUERY}"
            # Every request but the cache-hit ones carries a never-seen TaskId (see wrk-report.lua),
            # so the miss proxy (cache off) cannot coalesce two of them either.
            targets = {
                "direct": (up_url + upstream_target, "POST", True),
                "nginx": (pass_url + upstream_target, "POST", True),
                "proxy_miss": (miss_url + API_PAGE, "GET", True),
                "proxy_miss_default": (dflt_url + API_PAGE, "GET", True),
                "proxy_hit": (hit_url + API_PAGE, "GET", False),
            }
            for name, (url, _, _) in targets.items():
                status, headers, body = http_get(url) if name.startswith("proxy") else (200, {}, b"")
                if status != 200:
                    raise RuntimeError(f"{name}: {url} answered {status}: {body[:300]!r}")
            status, headers, _ = http_get(hit_url + API_PAGE)
            if headers.get("x-proxy-cache") != "hit":
                raise RuntimeError(f"the cache-hit proxy did not hit: {headers}")

            # BENCH_QUICK: one round of 2 s per target (tens of thousands of requests each at
            # 2 connections: p50 holds, p99 is rougher).
            rounds = 1 if self.quick else 3
            duration = 2 if self.quick else 6
            runs = {k: [] for k in targets}
            for _ in range(rounds):
                for name, (url, method, unique) in targets.items():
                    runs[name].append(self.wrk(url, duration, conns=2, threads=1, method=method, unique=unique))

            def agg(rs):
                med = lambda k: statistics.median(r[k] for r in rs)
                return {
                    "p50_us": med("p50_us"), "p90_us": med("p90_us"), "p99_us": med("p99_us"), "mean_us": med("mean_us"),
                    "rps": med("rps"), "requests": sum(r["requests"] for r in rs),
                    "errors": sum(r["errors"] for r in rs), "non_2xx": sum(r["errors_status"] for r in rs),
                    "rounds": [{k: r[k] for k in ("p50_us", "p99_us", "mean_us", "rps")} for r in rs],
                }

            lat = {k: agg(v) for k, v in runs.items()}
            # Memory after the distinct-key stream (every request a new key, the cache full).
            lat["proxy_miss_default"]["rss_after_mb"] = mb(proc_status(dflt.pid, "VmRSS"))
            lat["proxy_miss_default"]["cache_entries_bound"] = 10_000
            lat["proxy_miss_default"]["cache_max_bytes"] = 64 * 1024 * 1024
            d = lat["direct"]
            for k in ("nginx", "proxy_miss", "proxy_miss_default", "proxy_hit"):
                lat[k]["added_p50_us"] = lat[k]["p50_us"] - d["p50_us"]
                lat[k]["added_p99_us"] = lat[k]["p99_us"] - d["p99_us"]
                lat[k]["ratio_p50"] = lat[k]["p50_us"] / max(d["p50_us"], 1)
                lat[k]["ratio_p99"] = lat[k]["p99_us"] / max(d["p99_us"], 1)

            # Throughput at saturation (closed loop, many connections).
            sat_conns, sat_dur = 32, (2 if self.quick else 8)
            saturation = {}
            for name, (url, method, unique) in targets.items():
                r = self.wrk(url, sat_dur, conns=sat_conns, threads=2, method=method, unique=unique)
                saturation[name] = {"rps": r["rps"], "p50_us": r["p50_us"], "p99_us": r["p99_us"],
                                    "errors": r["errors"], "non_2xx": r["errors_status"]}

            # Cache hits at a fixed 1,000 req/s (open loop), in rounds: the figure is the median
            # round, so that one stall of this shared 2-core machine does not make the whole figure.
            fixed_dur, fixed_rounds = (3, 1) if self.quick else (10, 3)
            fixed_runs = [self.loadgen("rate", "--url", hit_url + API_PAGE, "--rate", 1000, "--duration-s", fixed_dur,
                                       "--max-conns", 64, "--threads", 1, timeout=fixed_dur + 60) for _ in range(fixed_rounds)]
            fixed_runs.sort(key=lambda r: r["all"]["p99_us"])
            fixed = dict(fixed_runs[len(fixed_runs) // 2])
            fixed["rounds"] = [{k: r["all"][k] for k in ("count", "p50_us", "p99_us", "max_us", "service_p99_us",
                                                          "generator_late_p99_us", "non_2xx", "errors")} for r in fixed_runs]
            fixed["round_s"] = fixed_dur

            m_miss, m_hit = metrics(miss_url), metrics(hit_url)
            vs_simulator = self.vs_simulator()
            return {
                "vs_simulator": vs_simulator,
                "upstream_body_bytes": os.path.getsize(os.path.join(HERE, "seed-example.json")),
                "wrk": {"connections": 2, "threads": 1, "duration_s": duration, "rounds": rounds},
                "latency": lat,
                "saturation": {"connections": sat_conns, "threads": 2, "duration_s": sat_dur, "by_target": saturation},
                "fixed_rate_hit": fixed,
                "sanity": {
                    "miss_proxy_cache": cache_outcomes(m_miss), "miss_proxy_upstream_calls": upstream_calls(m_miss)[0],
                    "hit_proxy_cache": cache_outcomes(m_hit), "hit_proxy_upstream_calls": upstream_calls(m_hit)[0],
                    "miss_default_proxy_cache": cache_outcomes(metrics(dflt_url)),
                },
            }
        finally:
            for p in (dflt, hit, miss, passthrough, upstream):
                self.procs.stop(p)

    def vs_simulator(self):
        """The same dashboard call made to the real simulator directly (V3-signed by the load
        generator, a fresh nonce each time) and through the proxy, cache off and cache on. One
        connection, so that the cache-off proxy cannot coalesce two identical calls."""
        sim, sim_url = self.simulator("latency-sim")
        miss, miss_url = self.proxy("latency-sim-proxy-miss", sim_url, ["--cache-ttl-ms", "0"])
        hit, hit_url = self.proxy("latency-sim-proxy-hit", sim_url, ["--cache-ttl-ms", "3600000"])
        try:
            _, _, page_body = http_get(hit_url + API_PAGE)
            targets = {
                "simulator": ["--url", f"{sim_url}/?Action=DescribeCloudMigrationResult&Version=2014-08-15&{PAGE_QUERY}",
                              "--sign-v3", f"{DEMO_KEY_ID}:{DEMO_KEY_SECRET}"],
                "proxy_miss": ["--url", miss_url + API_PAGE],
                "proxy_hit": ["--url", hit_url + API_PAGE],
            }
            rounds = 1 if self.quick else 3
            duration = 2 if self.quick else 4
            runs = {k: [] for k in targets}
            for _ in range(rounds):
                for name, args in targets.items():
                    r = self.loadgen("closed", *args, "--conns", 1, "--duration-s", duration, "--threads", 1,
                                     timeout=duration + 30)["all"]
                    runs[name].append(r)
            out = {}
            for name, rs in runs.items():
                med = lambda k: statistics.median(r[k] for r in rs)
                out[name] = {"p50_us": med("p50_us"), "p99_us": med("p99_us"), "rps": med("rate"),
                             "requests": sum(r["count"] for r in rs),
                             "failed": sum(r["non_2xx"] + r["errors"] for r in rs)}
            base = out["simulator"]
            for name in ("proxy_miss", "proxy_hit"):
                out[name]["added_p50_us"] = out[name]["p50_us"] - base["p50_us"]
                out[name]["added_p99_us"] = out[name]["p99_us"] - base["p99_us"]
                out[name]["ratio_p50"] = out[name]["p50_us"] / max(base["p50_us"], 1)
                out[name]["ratio_p99"] = out[name]["p99_us"] / max(base["p99_us"], 1)
            out["connections"], out["rounds"], out["duration_s"] = 1, rounds, duration
            out["miss_proxy_cache"] = cache_outcomes(metrics(miss_url))
            out["answer_bytes"] = len(page_body)
            return out
        finally:
            for p in (hit, miss, sim):
                self.procs.stop(p)

    def scale(self):
        """N dashboards polling the same page every 5 s, time compressed by K: they poll every
        5/K s and the proxy's cache TTL is 2/K s, so one real second stands for K seconds."""
        k = 5
        # BENCH_QUICK: half a simulated minute per level (6 real seconds), so a call more or
        # less moves the per-minute figure by 2.
        sim_minutes = 0.5 if self.quick else 2
        period_ms, ttl_ms = 5000 // k, 2000 // k
        duration = sim_minutes * 60 / k
        sim, sim_url = self.simulator("scale-sim")
        levels = []
        try:
            for n in (1, 10, 100, 500):
                proxy, base = self.proxy(f"scale-proxy-{n}", sim_url, ["--cache-ttl-ms", str(ttl_ms)])
                try:
                    rss_start = proc_status(proxy.pid, "VmRSS")
                    r = self.loadgen("poll", "--url", base + API_PAGE, "--clients", n, "--period-ms", period_ms,
                                     "--duration-s", duration, "--threads", 1, "--seed", n, timeout=duration + 60)
                    m = metrics(base)
                    all_calls, attempts = upstream_calls(m)
                    calls = page_calls(m)
                    levels.append({
                        "clients": n,
                        "polls": r["all"]["count"],
                        "non_2xx": r["all"]["non_2xx"],
                        "errors": r["all"]["errors"],
                        "poll_p50_us": r["all"]["p50_us"],
                        "poll_p99_us": r["all"]["p99_us"],
                        "upstream_calls": calls,
                        "other_upstream_calls": all_calls - calls,
                        "upstream_attempts": attempts,
                        "upstream_calls_per_min": calls / sim_minutes,
                        "cache": cache_outcomes(m),
                        "rss_start_mb": mb(rss_start),
                        "rss_peak_mb": mb(proc_status(proxy.pid, "VmHWM")),
                    })
                    log(f"scale: {n} clients: {calls} upstream calls in {sim_minutes} simulated min, "
                        f"peak RSS {levels[-1]['rss_peak_mb']} MB")
                finally:
                    self.procs.stop(proxy)
            # Three replicas, each with its own cache, behind a round-robin front (the load
            # generator deals the dashboards out): do upstream calls scale with the replicas?
            n, replicas = 500, []
            try:
                for i in range(3):
                    replicas.append(self.proxy(f"scale-replica-{i}", sim_url, ["--cache-ttl-ms", str(ttl_ms)]))
                r = self.loadgen("poll", "--url", ",".join(base + API_PAGE for _, base in replicas), "--clients", n,
                                 "--period-ms", period_ms, "--duration-s", duration, "--threads", 1, "--seed", n,
                                 timeout=duration + 60)
                ms = [metrics(base) for _, base in replicas]
                per = [page_calls(m) for m in ms]
                other = sum(upstream_calls(m)[0] for m in ms) - sum(per)
                three = {"replicas": 3, "clients": n, "polls": r["all"]["count"],
                         "failed": r["all"]["non_2xx"] + r["all"]["errors"], "poll_p99_us": r["all"]["p99_us"],
                         "upstream_calls": sum(per), "upstream_calls_per_min": sum(per) / sim_minutes,
                         "other_upstream_calls": other,
                         "per_replica_per_min": [c / sim_minutes for c in per]}
                log(f"scale: 3 replicas, {n} clients: {sum(per)} upstream calls")
            finally:
                for p, _ in replicas:
                    self.procs.stop(p)
        finally:
            self.procs.stop(sim)
        return {"three_replicas": three, "compression": k, "poll_period_s": 5, "cache_ttl_s": 2, "real_period_ms": period_ms,
                "real_ttl_ms": ttl_ms, "simulated_minutes": sim_minutes, "real_seconds": duration, "levels": levels}

    def history(self):
        """The watcher and the history store: see scripts/bench/history.py."""
        import history as history_section
        return history_section.history(self, metrics, upstream_calls, log)

    def alerts(self):
        """Alerts: change-to-delivery latency, evaluation cost, outbox drain: see scripts/bench/alerts.py."""
        import alerts as alerts_section
        return alerts_section.alerts(self, log)

    def faults_long(self):
        """The fault load for FAULT_SECS seconds (300 unless set): does memory stay flat for 5 minutes?
        Run only when named (BENCH_ONLY=...,faults_long), as it takes that long."""
        return self.faults(duration=int(os.environ.get("FAULT_SECS") or 300))

    def faults(self, duration=None):
        """A fixed-rate load with the simulator throttling 20% and failing 5% of calls."""
        duration = duration or (15 if self.quick else 60)
        rate, unique_every = 200, 10
        sim, sim_url = self.simulator("faults-sim", ["--fault-throttle-rate", "0.2", "--fault-5xx-rate", "0.05", "--fault-seed", "7"])
        proxy, base = self.proxy("faults-proxy", sim_url)
        try:
            # Warm the cached page (retrying through the faults) before counting.
            for _ in range(20):
                status, _, _ = http_get(base + API_PAGE, timeout=20)
                if status == 200:
                    break
            rss = []
            stop = threading.Event()

            cache_mb = []  # what the cache counts for, beside RSS: how much of the growth it is

            def sample():
                t0 = time.time()
                while not stop.is_set():
                    t = round(time.time() - t0, 1)
                    rss.append((t, proc_status(proxy.pid, "VmRSS")))
                    try:
                        m = metrics(base)
                        cache_mb.append((t, round(m.get("migration_proxy_cache_bytes", 0) / 1e6, 2),
                                         int(m.get("migration_proxy_cache_entries", 0))))
                    except (OSError, urllib.error.URLError, socket.timeout):
                        pass
                    stop.wait(1.0)

            m0 = metrics(base)
            rss_start = proc_status(proxy.pid, "VmRSS")
            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            unique = base + f"/api/rds/DescribeCloudMigrationResult?RegionId={REGION}&DBInstanceName={DEMO_INSTANCE}&TaskId={{n}}"
            r = self.loadgen("rate", "--url", base + API_PAGE, "--unique-url", unique, "--unique-every", unique_every,
                             "--rate", rate, "--duration-s", duration, "--max-conns", 512, "--threads", 1,
                             timeout=duration + 90)
            stop.set()
            sampler.join(timeout=5)
            rss_end = proc_status(proxy.pid, "VmRSS")
            m1 = metrics(base)
            calls0, att0 = upstream_calls(m0)
            calls1, att1 = upstream_calls(m1)
            c0, c1 = cache_outcomes(m0), cache_outcomes(m1)
            mid = [v for t, v in rss if t <= duration / 2 and v is not None]
            return {
                "rate": rate, "duration_s": duration, "unique_share": 1 / unique_every,
                "simulator_faults": {"throttle_rate": 0.2, "5xx_rate": 0.05},
                "load": r,
                "upstream_calls": calls1 - calls0, "upstream_attempts": att1 - att0,
                "cache": {k: c1.get(k, 0) - c0.get(k, 0) for k in c1},
                "rss_start_mb": mb(rss_start), "rss_mid_mb": mb(mid[-1] if mid else None), "rss_end_mb": mb(rss_end),
                "rss_peak_mb": mb(proc_status(proxy.pid, "VmHWM")),
                "rss_samples_mb": [(t, mb(v)) for t, v in rss],
                "cache_samples": cache_mb,
            }
        finally:
            self.procs.stop(proxy)
            self.procs.stop(sim)

    def criterion(self):
        """ns per signature and time per simulator call (proxy/benches/signing.rs, simulator.rs)."""
        started = time.time()
        with open(os.path.join(self.workdir, "criterion.log"), "wb") as logf:
            # BENCH_QUICK: shorter criterion runs too, so the whole suite stays under 5 minutes.
            quick = ["--", "--warm-up-time", "0.5", "--measurement-time", "1", "--nresamples", "10000"] if self.quick else []
            done = subprocess.run(["cargo", "bench", "-p", "migration-proxy", "--bench", "signing", "--bench", "simulator", *quick],
                                  stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=ROOT, timeout=900)
        if done.returncode != 0:
            raise RuntimeError(f"cargo bench failed:\n{self.procs.tail('criterion')}")
        out = {}
        for path in sorted(glob.glob(os.path.join(self.a.criterion_dir, "*", "*", "new", "estimates.json"))):
            if os.path.getmtime(path) < started:
                continue  # an older run's result
            bench = os.path.relpath(os.path.dirname(os.path.dirname(path)), self.a.criterion_dir)
            try:
                est = json.load(open(path))
                out[bench] = {"median_ns": est["median"]["point_estimate"], "mean_ns": est["mean"]["point_estimate"],
                              "modified": os.path.getmtime(path)}
            except (OSError, KeyError, ValueError):
                pass
        return out

    def checks(self):
        """The hardening checks on the cache-hit path (proxy/benches/checks.rs): each alone, and a
        whole cache hit through the router without and with them, side by side."""
        started = time.time()
        with open(os.path.join(self.workdir, "checks.log"), "wb") as logf:
            quick = ["--", "--warm-up-time", "0.5", "--measurement-time", "1", "--nresamples", "10000"] if self.quick else []
            done = subprocess.run(["cargo", "bench", "-p", "migration-proxy", "--bench", "checks", *quick],
                                  stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=ROOT, timeout=900)
        if done.returncode != 0:
            raise RuntimeError("cargo bench --bench checks failed:\n" + open(os.path.join(self.workdir, "checks.log")).read()[-3000:])
        out = {}
        for group in ("checks", "hit_path"):
            for path in glob.glob(os.path.join(self.a.criterion_dir, group, "*", "new", "estimates.json")):
                if os.path.getmtime(path) < started:
                    continue
                name = os.path.basename(os.path.dirname(os.path.dirname(path)))
                est = json.load(open(path))
                out[f"{group}/{name}"] = {"median_ns": est["median"]["point_estimate"], "mean_ns": est["mean"]["point_estimate"]}
        return out

    def slowloris(self):
        """RSS of the proxy holding 200 slowloris connections (each sends a partial request line,
        then a byte now and then), and how long until the header-read timeout has closed them."""
        n, timeout_ms = 200, 5000
        sim, sim_url = self.simulator("slowloris-sim")
        proxy, base = self.proxy("slowloris-proxy", sim_url, ["--header-read-timeout-ms", str(timeout_ms)])
        try:
            http_get(base + API_PAGE)
            rss_before = proc_status(proxy.pid, "VmRSS")
            port = int(base.rsplit(":", 1)[1])
            socks = []
            for _ in range(n):
                s = socket.create_connection(("127.0.0.1", port), timeout=5)
                s.sendall(b"GET /api/session HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                socks.append(s)
            t0 = time.time()
            peak = rss_before
            open_counts = []
            for _ in range(4):  # a header byte each second for 4 s: all still inside the timeout
                time.sleep(1)
                alive = 0
                for s in socks:
                    try:
                        s.sendall(b"X")
                        alive += 1
                    except OSError:
                        pass
                open_counts.append(alive)
                peak = max(peak, proc_status(proxy.pid, "VmRSS") or 0)
            rss_with = proc_status(proxy.pid, "VmRSS")
            # Then silence: each connection must be closed by the proxy (EOF or reset).
            closed_at = []
            for s in socks:
                s.settimeout(max(0.1, timeout_ms / 1000 + 10 - (time.time() - t0)))
                try:
                    while s.recv(4096):
                        pass
                    closed_at.append(time.time() - t0)
                except ConnectionResetError:
                    closed_at.append(time.time() - t0)
                except (socket.timeout, OSError):
                    pass
                finally:
                    s.close()
            status, _, _ = http_get(base + API_PAGE)
            return {"connections": n, "header_read_timeout_ms": timeout_ms, "open_each_second": open_counts,
                    "rss_before_mb": mb(rss_before), "rss_with_mb": mb(rss_with), "rss_peak_mb": mb(peak),
                    "closed": len(closed_at), "last_closed_s": round(max(closed_at), 1) if closed_at else None,
                    "serves_after": status}
        finally:
            self.procs.stop(proxy)
            self.procs.stop(sim)

    # ---- the run ---------------------------------------------------------------------------

    def machine(self):
        def first(cmd):
            try:
                return subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout.strip().splitlines()[0]
            except Exception:  # noqa: BLE001 - informational only
                return None
        cpu = None
        try:
            cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
        except (OSError, StopIteration):
            pass
        mem_kb = proc_meminfo("MemTotal")
        debian = None
        if os.path.exists("/etc/debian_version"):
            debian = open("/etc/debian_version").read().strip()
        nginx_v = subprocess.run([shutil.which("nginx") or "/usr/sbin/nginx", "-v"], capture_output=True, text=True).stderr.strip()
        return {
            "cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(mem_kb / 1024 / 1024, 1) if mem_kb else None,
            "kernel": platform.release(), "debian": debian, "rustc": first(["rustc", "--version"]),
            "nginx": nginx_v.replace("nginx version: ", ""), "wrk": first(["wrk", "-v"]),
            "chromium": first(["/usr/bin/chromium", "--version"]), "node": first(["node", "--version"]),
        }

    def run(self, sections):
        started = time.time()
        self.results["date"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        self.results["quick"] = self.quick
        self.results["machine"] = self.machine()
        self.results["loadavg_start"] = os.getloadavg()
        self.results["errors"] = {}
        for name in sections:
            t0 = time.time()
            log(f"{name} ...")
            try:
                self.results[name] = getattr(self, name)()
            except Exception as e:  # noqa: BLE001 - a failed section is reported, the others still run
                self.results["errors"][name] = f"{type(e).__name__}: {e}"
                log(f"{name} FAILED: {e}")
            finally:
                self.procs.stop_all()
            log(f"{name} done in {time.time() - t0:.0f} s")
        self.results["loadavg_end"] = os.getloadavg()
        self.results["seconds"] = round(time.time() - started)
        return self.results


def wasm_contributors(path, n=10):
    """The `n` crates whose functions take the most bytes of the wasm at `path` (a build with its
    name section), by `twiggy top`: each function counts for the crate its symbol names first
    (`<migration_model::X as serde::Deserialize>::...` counts for migration_model). Sections
    without a crate (names, custom sections, data) are left out of the shares."""
    out = subprocess.run(["twiggy", "top", "-f", "json", path], capture_output=True, text=True, check=True, timeout=300)
    sizes, code = {}, 0
    for item in json.loads(out.stdout):
        name = re.sub(r"^(dyn |mut |const )+", "", item["name"].lstrip("<&* "))
        m = re.match(r"([A-Za-z_][A-Za-z0-9_]*)::", name)
        if not m:
            continue
        sizes[m.group(1)] = sizes.get(m.group(1), 0) + item["shallow_size"]
        code += item["shallow_size"]
    top = sorted(sizes.items(), key=lambda kv: -kv[1])[:n]
    return {"file": os.path.relpath(path, ROOT), "raw": os.path.getsize(path), "code_bytes": code,
            "crates": [{"crate": c, "bytes": b, "share": b / code if code else 0.0} for c, b in top]}


def proc_meminfo(field):
    try:
        for line in open("/proc/meminfo"):
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


SECTIONS = ["criterion", "bundle", "browser", "proxy_latency", "scale", "faults", "checks", "slowloris", "history",
            "alerts"]
# Run only when named in --only (they take long).
EXTRA_SECTIONS = ["faults_long"]


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--proxy", required=True)
    ap.add_argument("--loadgen", required=True)
    ap.add_argument("--names-wasm", help="the app's wasm with its name section, for twiggy")
    ap.add_argument("--dist", required=True)
    ap.add_argument("--criterion-dir", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--pidfile", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--only", default="", help="comma-separated sections: " + ",".join(SECTIONS + EXTRA_SECTIONS))
    ap.add_argument("--browser-runs", type=int, default=7)
    ap.add_argument("--history-bench", help="the `history` bench binary (proxy/benches/history.rs)")
    ap.add_argument("--alerts-bench", help="the `alerts` bench binary (proxy/benches/alerts.rs)")
    ap.add_argument("--quick", action="store_true", help="shorter runs, for trying the script out")
    args = ap.parse_args()
    sections = [s for s in args.only.split(",") if s] or SECTIONS
    unknown = set(sections) - set(SECTIONS) - set(EXTRA_SECTIONS)
    if unknown:
        ap.error(f"unknown sections: {sorted(unknown)}")
    bench = Bench(args)
    stop = lambda *_: (bench.procs.stop_all(), sys.exit(130))
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        results = bench.run(sections)
    finally:
        bench.procs.stop_all()
    results["sections"] = sections
    with open(args.out, "w") as f:
        json.dump(results, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
