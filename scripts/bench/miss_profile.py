#!/usr/bin/env python3
"""Where a cache miss spends its time, on and off the CPU (run by hand; BENCHMARKS.md, "profile").

    python3 scripts/bench/miss_profile.py '{"miss": ["target/release/migration-proxy", "--cache-ttl-ms", "0"]}'

Starts the fixed upstream and the nginx pass-through of `make bench`'s proxy section, then each
proxy named in the JSON argument (name: [binary, extra serve flags...]), and drives every target
with wrk (2 connections, a new `TaskId` on every request) while `perf stat` counts, per request,
the CPU time, context switches, futex calls (thread wake-ups), epoll waits and socket reads and
writes of the target's processes. Interleaved rounds (ROUNDS, DUR seconds each); the medians
are printed with the load average. HITS=1 asks the proxies the same page every time (the
cache-hit path; give them a long --cache-ttl-ms); COUNT=0 leaves `perf stat` out (its syscall
tracepoints slow every target a little). PERF_RECORD=name also records that target's on-CPU profile
(`perf record`, DWARF call graphs) and prints the share of each part of the path: a sample counts
for the innermost frame that names a part.
"""
import collections
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run as R  # noqa: E402

EVENTS = ("task-clock,context-switches,syscalls:sys_enter_futex,syscalls:sys_enter_epoll_wait,"
          "syscalls:sys_enter_sendto,syscalls:sys_enter_recvfrom,syscalls:sys_enter_write,"
          "syscalls:sys_enter_read,syscalls:sys_enter_writev")
PARTS = [
    ("the answer: JSON read, redaction, writing", r"redact|serde_json|migration_model::conninfo|migration_model::de::"),
    ("V3 signing", r"signing::|sha2::|hmac"),
    ("the proxy's own path: validation, cache key, single flight, metrics",
     r"actions::validate|forward::prepare|CacheKey|cache::Inner|join_or_start|prometheus|governor|limits::|"
     r"form_urlencoded|audit::|forward::respond|note_upstream|upstream::Upstream::call|retry::"),
    ("HTTP on both sides: hyper server and client, axum, tower, reqwest", r"reqwest|hyper|axum|tower|http::"),
    ("runtime: scheduling, wake-ups, epoll, timers",
     r"tokio::runtime::scheduler|tokio::runtime::time|tokio::runtime::io::driver|park|epoll_wait|futex|"
     r"tokio::time::|Waker|notify|tokio::runtime::task"),
]
OTHER = "other: allocator, libc, kernel outside the above"


def pids_of(p):
    kids = subprocess.run(["pgrep", "-P", str(p.pid)], capture_output=True, text=True).stdout.split()
    return [str(p.pid)] + kids  # nginx: the master and its workers


def counted(b, url, method, pids, dur, unique=True):
    if os.environ.get("COUNT") == "0":
        r = b.wrk(url, dur, conns=2, threads=1, method=method, unique=unique)
        return {"p50": r["p50_us"], "p99": r["p99_us"], "cpu_us": 0, "cs": 0, "futex": 0, "epoll": 0, "io": 0}
    perf = subprocess.Popen(["perf", "stat", "-x,", "-e", EVENTS, "-p", ",".join(pids), "--", "sleep", str(dur + 1)],
                            stderr=subprocess.PIPE, text=True)
    time.sleep(0.3)
    r = b.wrk(url, dur, conns=2, threads=1, method=method, unique=unique)
    _, err = perf.communicate()
    ev = {}
    for line in err.splitlines():
        f = line.split(",")
        if len(f) > 3:
            try:
                ev[f[2].replace("syscalls:sys_enter_", "")] = float(f[0])
            except ValueError:
                pass
    n = max(r["requests"], 1)
    return {"p50": r["p50_us"], "p99": r["p99_us"], "cpu_us": ev.get("task-clock", 0) * 1000 / n,
            "cs": ev.get("context-switches", 0) / n, "futex": ev.get("futex", 0) / n, "epoll": ev.get("epoll_wait", 0) / n,
            "io": sum(ev.get(k, 0) for k in ("sendto", "recvfrom", "write", "read", "writev")) / n}


def shares(data):
    """perf script of `data`: the share of samples under each part."""
    out = subprocess.run(["perf", "script", "-i", data], capture_output=True, text=True).stdout
    parts = [(name, re.compile(rx)) for name, rx in PARTS]
    counts, total, kernel = collections.Counter(), 0, 0
    for sample in out.split("\n\n"):
        frames = [l for l in sample.splitlines()[1:] if l.strip()]
        if not frames:
            continue
        total += 1
        kernel += "[kernel.kallsyms]" in frames[0]
        counts[next((name for f in frames for name, rx in parts if rx.search(f)), OTHER)] += 1
    for name in [p[0] for p in PARTS] + [OTHER]:
        print(f"{100 * counts[name] / max(total, 1):5.1f}%  {name}")
    print(f"{100 * kernel / max(total, 1):5.1f}%  of all samples in the kernel; {total} samples")


def main():
    proxies = json.loads(sys.argv[1])
    dur, rounds = int(os.environ.get("DUR", "3")), int(os.environ.get("ROUNDS", "3"))
    work = os.environ.get("WORKDIR", "/tmp/miss-profile")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    b = R.Bench(types.SimpleNamespace(proxy=None, workdir=work, pidfile=work + "/pids", quick=True))
    open(b.a.pidfile, "w").close()
    try:
        up, up_url, up_port = b.fixed_upstream()
        ps, pass_url = b.nginx_passthrough(up_port)
        target = f"/?Action=DescribeCloudMigrationResult&Version=2014-08-15&{R.PAGE_QUERY}"
        targets = {"upstream alone": (up_url + target, "POST", pids_of(up)),
                   "nginx pass-through": (pass_url + target, "POST", pids_of(ps))}
        for name, (binary, *extra) in proxies.items():
            b.a.proxy = binary
            p, url = b.proxy(name, up_url, extra)
            targets[name] = (url + R.API_PAGE, "GET", [str(p.pid)])
        # HITS=1: the proxies are asked the same page every time (run them with a long
        # --cache-ttl-ms): the cache-hit path, beside the upstream alone.
        hits = os.environ.get("HITS") == "1"
        res = {k: [] for k in targets}
        for _ in range(rounds):
            for name, (url, method, pids) in targets.items():
                res[name].append(counted(b, url, method, pids, dur, unique=not (hits and method == "GET")))
        load = os.getloadavg()[0]
        med = {k: {f: statistics.median(r[f] for r in v) for f in v[0]} for k, v in res.items()}
        base = med["upstream alone"]["p50"]
        floor = med["nginx pass-through"]["p50"] - base
        print(f"load average {load:.2f}; medians of {rounds} rounds of {dur} s; per request: CPU µs, context switches, "
              "futex calls, epoll waits, socket reads and writes")
        print(f"{'target':24} {'p50':>6} {'added':>6} {'×nginx':>6} {'p99':>7} {'CPU':>7} {'cs':>5} {'futex':>5} {'epoll':>5} {'io':>5}")
        for k, r in med.items():
            added = r["p50"] - base
            print(f"{k:24} {r['p50']:6.0f} {added:6.0f} {added / max(floor, 1):6.1f} {r['p99']:7.0f} {r['cpu_us']:7.1f} "
                  f"{r['cs']:5.2f} {r['futex']:5.2f} {r['epoll']:5.2f} {r['io']:5.2f}")
        with open(os.path.join(work, "result.json"), "w") as f:
            json.dump({"load": load, "medians": med, "rounds": res}, f)
        name = os.environ.get("PERF_RECORD")
        if name:
            url, method, pids = targets[name]
            data = os.path.join(work, "perf.data")
            rec = subprocess.Popen(["perf", "record", "-o", data, "-F", "1999", "--call-graph", "dwarf,32768",
                                    "-p", ",".join(pids), "--", "sleep", str(dur)], stderr=subprocess.DEVNULL)
            time.sleep(0.2)
            b.wrk(url, dur, 2, 1, method, not (hits and method == "GET"))
            rec.wait()
            print(f"on-CPU profile of {name}:")
            shares(data)
    finally:
        b.procs.stop_all()


if __name__ == "__main__":
    main()
