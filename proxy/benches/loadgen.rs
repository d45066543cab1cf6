//! A small HTTP/1.1 load generator for `make bench` (scripts/bench.sh), not a criterion bench.
//! wrk is closed-loop (each connection waits for its answer before sending the next request),
//! so it cannot hold a fixed rate; Debian has no wrk2, and this is smaller than installing oha.
//!
//! Two modes, each printing one JSON object on stdout:
//!
//! * `rate`: open loop at a fixed rate. Request `i` is due at `start + i / rate`; a dedicated
//!   thread wakes at each due time and hands the request to the async workers. Latency is
//!   counted from the due time (so a slow server cannot hide its queue: no coordinated
//!   omission), and also, separately, from the moment the request was written ("service").
//!   With `--unique-url` (a URL holding `{n}`) every `--unique-every`-th request goes there
//!   with a fresh number, and results are reported per class (`cached`, `unique`).
//! * `closed`: `--conns` connections, each sending its next request as soon as the last is
//!   answered (as wrk does), for `--duration-s`. With `--sign-v3 KEY_ID:SECRET` every request is
//!   a V3-signed RDS call (POST, fresh nonce), so the simulator itself can be called directly.
//! * `poll`: `--clients` simulated dashboards, each on its own keep-alive connection, polling
//!   `--url` every `--period-ms` from a random phase, for `--duration-s`. A comma-separated
//!   `--url` list is dealt round-robin to the clients (several replicas behind one front).
//!
//! Plain http to loopback only; every request has a timeout; the run ends by itself.
//! `cargo bench` runs every bench target with `--bench`: this one then says what it is and
//! exits.
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;

const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Connections opened in the run.
static OPENED: AtomicUsize = AtomicUsize::new(0);

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() || args.iter().any(|a| a == "--bench" || a == "--help") {
        println!(
            "loadgen: the load generator of scripts/bench.sh (modes: rate, poll); nothing to benchmark here"
        );
        return;
    }
    let opts = Opts::parse(&args[1..]).unwrap_or_else(|e| {
        eprintln!("loadgen: {e}");
        std::process::exit(2)
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(opts.threads)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let out = match args[0].as_str() {
        "rate" => rt.block_on(rate(opts.clone(), rt.handle().clone())),
        "poll" => rt.block_on(poll(opts.clone())),
        "closed" => rt.block_on(closed(opts.clone())),
        other => {
            eprintln!("loadgen: unknown mode {other:?} (rate, poll)");
            std::process::exit(2)
        }
    };
    println!("{out}");
    // Do not wait for requests still hanging on a slow server.
    rt.shutdown_timeout(Duration::from_millis(100));
}

#[derive(Clone, Debug)]
struct Opts {
    url: String,
    unique_url: Option<String>,
    unique_every: usize,
    rate: f64,
    duration: Duration,
    max_conns: usize,
    clients: usize,
    period: Duration,
    threads: usize,
    seed: u64,
    /// `closed` mode: connections, each sending its next request when the last is answered.
    conns: usize,
    /// Sign every request as an RDS call (V3, fresh nonce) with this `KEY_ID:SECRET`, and POST it.
    sign: Option<(String, String)>,
}

impl Opts {
    fn parse(args: &[String]) -> Result<Opts, String> {
        let mut o = Opts {
            url: String::new(),
            unique_url: None,
            unique_every: 10,
            rate: 100.0,
            duration: Duration::from_secs(10),
            max_conns: 256,
            clients: 1,
            period: Duration::from_secs(5),
            threads: 1,
            seed: 1,
            conns: 2,
            sign: None,
        };
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            let mut val = || it.next().cloned().ok_or_else(|| format!("{flag} needs a value"));
            let num = |s: String| s.parse::<f64>().map_err(|_| format!("{flag}: {s:?} is not a number"));
            match flag.as_str() {
                "--url" => o.url = val()?,
                "--unique-url" => o.unique_url = Some(val()?),
                "--unique-every" => o.unique_every = num(val()?)? as usize,
                "--rate" => o.rate = num(val()?)?,
                "--duration-s" => o.duration = Duration::from_secs_f64(num(val()?)?),
                "--max-conns" => o.max_conns = num(val()?)? as usize,
                "--clients" => o.clients = num(val()?)? as usize,
                "--period-ms" => o.period = Duration::from_secs_f64(num(val()?)? / 1000.0),
                "--threads" => o.threads = num(val()?)? as usize,
                "--seed" => o.seed = num(val()?)? as u64,
                "--conns" => o.conns = num(val()?)? as usize,
                "--sign-v3" => {
                    let v = val()?;
                    let (id, secret) = v.split_once(':').ok_or("--sign-v3 takes KEY_ID:SECRET")?;
                    o.sign = Some((id.to_string(), secret.to_string()));
                }
                other => return Err(format!("unknown flag {other:?}")),
            }
        }
        if o.url.is_empty() {
            return Err("--url is required".into());
        }
        if !(o.rate > 0.0 && o.rate <= 100_000.0)
            || o.duration > Duration::from_secs(600)
            || o.clients == 0
            || o.clients > 5_000
        {
            return Err("out of bounds: rate (0, 100000], duration <= 600 s, clients 1..=5000".into());
        }
        o.unique_every = o.unique_every.max(1);
        o.max_conns = o.max_conns.clamp(1, 4_096);
        o.threads = o.threads.clamp(1, 8);
        o.conns = o.conns.clamp(1, 1_024);
        Ok(o)
    }
}

/// `http://127.0.0.1:PORT/path?query` split into the address and the request target.
fn split_url(url: &str) -> Result<(SocketAddr, String), String> {
    let rest = url.strip_prefix("http://").ok_or_else(|| format!("{url}: only http:// is supported"))?;
    let (authority, target) = match rest.find('/') {
        Some(i) => (&rest[..i], rest[i..].to_string()),
        None => (rest, "/".to_string()),
    };
    let addr: SocketAddr = authority.parse().map_err(|_| format!("{url}: the host must be an IP:port"))?;
    if !addr.ip().is_loopback() {
        return Err(format!("{url}: loopback addresses only"));
    }
    Ok((addr, target))
}

/// One keep-alive HTTP/1.1 connection.
struct Conn {
    stream: BufReader<TcpStream>,
}

impl Conn {
    async fn open(addr: SocketAddr) -> std::io::Result<Conn> {
        let s = TcpStream::connect(addr).await?;
        OPENED.fetch_add(1, Ordering::Relaxed);
        s.set_nodelay(true)?;
        Ok(Conn { stream: BufReader::new(s) })
    }

    /// Sends on the client's kept connection (opening one if it has none), and keeps the
    /// connection if it may be reused.
    async fn send_on(
        conn: &mut Option<Conn>,
        addr: SocketAddr,
        method: &str,
        target: &str,
        extra_headers: &str,
    ) -> std::io::Result<(u16, bool)> {
        let mut c = match conn.take() {
            Some(c) => c,
            None => Conn::open(addr).await?,
        };
        let r = c.send(addr, method, target, extra_headers).await;
        if let Ok((_, true)) = r {
            *conn = Some(c);
        }
        r
    }

    /// Sends a GET and reads the whole answer; returns the status and whether the connection
    /// may be reused.
    async fn get(&mut self, addr: SocketAddr, target: &str) -> std::io::Result<(u16, bool)> {
        self.send(addr, "GET", target, "").await
    }

    /// Sends a request with no body (`extra_headers`: complete header lines, each ending in CRLF)
    /// and reads the whole answer.
    async fn send(
        &mut self,
        addr: SocketAddr,
        method: &str,
        target: &str,
        extra_headers: &str,
    ) -> std::io::Result<(u16, bool)> {
        let length = if method == "GET" { "" } else { "Content-Length: 0\r\n" };
        let req = format!(
            "{method} {target} HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: migration-bench-loadgen\r\nAccept: application/json\r\n{length}{extra_headers}\r\n"
        );
        self.stream.get_mut().write_all(req.as_bytes()).await?;
        let bad = |m: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, m.to_string());
        let mut line = String::new();
        if self.stream.read_line(&mut line).await? == 0 {
            return Err(bad(CLOSED_BEFORE_ANSWER));
        }
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad("bad status line"))?;
        let mut length: Option<usize> = None;
        let mut chunked = false;
        let mut keep = true;
        loop {
            line.clear();
            if self.stream.read_line(&mut line).await? == 0 {
                return Err(bad("closed in headers"));
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_ascii_lowercase());
                match k.as_str() {
                    "content-length" => length = v.parse().ok(),
                    "transfer-encoding" => chunked = v.contains("chunked"),
                    "connection" => keep = !v.contains("close"),
                    _ => {}
                }
            }
        }
        if chunked {
            loop {
                line.clear();
                self.stream.read_line(&mut line).await?;
                let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                    .map_err(|_| bad("bad chunk"))?;
                let mut skip = vec![0u8; size + 2];
                self.stream.read_exact(&mut skip).await?;
                if size == 0 {
                    break;
                }
            }
        } else if let Some(n) = length {
            let mut body = vec![0u8; n];
            self.stream.read_exact(&mut body).await?;
        } else {
            return Err(bad("no content-length"));
        }
        Ok((status, keep))
    }
}

/// Latencies and statuses of one class of requests.
#[derive(Default)]
struct Stats {
    latency_us: Vec<u64>,
    service_us: Vec<u64>,
    /// How late the generator itself started each request (its own scheduling delay).
    late_us: Vec<u64>,
    status: BTreeMap<u16, u64>,
    errors: u64,
    /// Failed requests by what failed: whether the connection was a reused idle one, and how.
    error_kinds: BTreeMap<String, u64>,
    /// Requests sent again on a new connection because the idle one taken for them had been
    /// closed by the server (see `is_stale`).
    stale_retries: u64,
}

impl Stats {
    fn json(&mut self, elapsed: Duration) -> Value {
        self.latency_us.sort_unstable();
        self.service_us.sort_unstable();
        self.late_us.sort_unstable();
        let answered: u64 = self.status.values().sum();
        let count = answered + self.errors;
        let non_2xx: u64 = self.status.iter().filter(|(s, _)| !(200..300).contains(*s)).map(|(_, n)| n).sum();
        let five_xx: u64 = self.status.iter().filter(|(s, _)| (500..600).contains(*s)).map(|(_, n)| n).sum();
        json!({
            "count": count,
            "errors": self.errors,
            "stale_connection_retries": self.stale_retries,
            "error_kinds": self.error_kinds.iter().map(|(k, v)| (k.clone(), json!(v))).collect::<serde_json::Map<_, _>>(),
            "non_2xx": non_2xx,
            "status_5xx": five_xx,
            "status": self.status.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
            "rate": count as f64 / elapsed.as_secs_f64().max(1e-9),
            "p50_us": pct(&self.latency_us, 50.0),
            "p90_us": pct(&self.latency_us, 90.0),
            "p99_us": pct(&self.latency_us, 99.0),
            "p999_us": pct(&self.latency_us, 99.9),
            "max_us": self.latency_us.last().copied().unwrap_or(0),
            "service_p50_us": pct(&self.service_us, 50.0),
            "service_p99_us": pct(&self.service_us, 99.0),
            "generator_late_p50_us": pct(&self.late_us, 50.0),
            "generator_late_p99_us": pct(&self.late_us, 99.0),
        })
    }
}

impl Stats {
    /// Adds another set of results to these.
    fn absorb(&mut self, other: &Stats) {
        self.latency_us.extend(&other.latency_us);
        self.service_us.extend(&other.service_us);
        self.late_us.extend(&other.late_us);
        for (k, v) in &other.status {
            *self.status.entry(*k).or_default() += v;
        }
        self.errors += other.errors;
        self.stale_retries += other.stale_retries;
        for (k, v) in &other.error_kinds {
            *self.error_kinds.entry(k.clone()).or_default() += v;
        }
    }
}

fn pct(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Whether a request on a reused connection failed because the server had closed that
/// connection (an idle keep-alive connection timed out as the request was sent): an end of
/// file before the status line, or a reset.
fn is_stale(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::{BrokenPipe, ConnectionReset, InvalidData};
    matches!(e.kind(), BrokenPipe | ConnectionReset)
        || (e.kind() == InvalidData && e.to_string() == CLOSED_BEFORE_ANSWER)
}

/// The error a connection closed before the status line gives.
const CLOSED_BEFORE_ANSWER: &str = "connection closed";

/// Idle connections, reused in LIFO order.
struct Pool {
    addr: SocketAddr,
    idle: Mutex<Vec<Conn>>,
}

impl Pool {
    /// An idle connection (true: reused) or a new one.
    async fn take(&self) -> std::io::Result<(Conn, bool)> {
        let reused = self.idle.lock().unwrap().pop();
        match reused {
            Some(c) => Ok((c, true)),
            None => Ok((Conn::open(self.addr).await?, false)),
        }
    }

    fn give(&self, c: Conn) {
        self.idle.lock().unwrap().push(c);
    }
}

async fn rate(o: Opts, handle: tokio::runtime::Handle) -> Value {
    let (addr, target) = split_url(&o.url).unwrap_or_else(|e| die(&e));
    let unique = o.unique_url.as_deref().map(|u| split_url(u).unwrap_or_else(|e| die(&e)));
    if let Some((uaddr, _)) = &unique {
        if *uaddr != addr {
            die("--unique-url must name the same host:port as --url");
        }
    }
    let pool = Arc::new(Pool { addr, idle: Mutex::new(Vec::new()) });
    let slots = Arc::new(Semaphore::new(o.max_conns));
    let stats: Arc<[Mutex<Stats>; 2]> =
        Arc::new([Mutex::new(Stats::default()), Mutex::new(Stats::default())]);
    let total = (o.rate * o.duration.as_secs_f64()).round() as usize;
    let interval = Duration::from_secs_f64(1.0 / o.rate);
    let in_flight = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();

    // The pacing thread: std::thread::sleep has far finer resolution than tokio's 1 ms timer.
    let pacer = {
        let (pool, slots, stats, in_flight) = (pool.clone(), slots.clone(), stats.clone(), in_flight.clone());
        let unique = unique.clone();
        let target = target.clone();
        let every = o.unique_every;
        std::thread::spawn(move || {
            let mut late_max = Duration::ZERO;
            for i in 0..total {
                let due = started + interval.mul_f64(i as f64);
                let now = Instant::now();
                if due > now {
                    std::thread::sleep(due - now);
                } else {
                    late_max = late_max.max(now - due);
                }
                let (class, path) = match &unique {
                    Some((_, u)) if i % every == every - 1 => {
                        (1usize, u.replace("{n}", &(1_000_000_000u64 + i as u64).to_string()))
                    }
                    _ => (0usize, target.clone()),
                };
                let (pool, slots, stats, in_flight) =
                    (pool.clone(), slots.clone(), stats.clone(), in_flight.clone());
                in_flight.fetch_add(1, Ordering::Relaxed);
                handle.spawn(async move {
                    let begun = Instant::now();
                    let permit = slots.acquire_owned().await.expect("semaphore");
                    let sent = Instant::now();
                    let mut on = "new";
                    let mut stale = false;
                    let result = tokio::time::timeout(REQUEST_TIMEOUT, async {
                        let (mut conn, reused) = pool.take().await.map_err(|e| ("connect", e))?;
                        if reused {
                            on = "reused";
                        }
                        let mut r = conn.get(pool.addr, &path).await;
                        // As browsers do: a GET on an idle connection the server had closed is
                        // sent again, once, on a new one.
                        if reused && r.as_ref().is_err_and(is_stale) {
                            stale = true;
                            on = "new (after a closed idle one)";
                            conn = Conn::open(pool.addr).await.map_err(|e| ("connect", e))?;
                            r = conn.get(pool.addr, &path).await;
                        }
                        if let Ok((_, true)) = r {
                            pool.give(conn);
                        }
                        r.map_err(|e| (on, e))
                    })
                    .await;
                    drop(permit);
                    let done = Instant::now();
                    let mut s = stats[class].lock().unwrap();
                    s.stale_retries += u64::from(stale);
                    match result {
                        Ok(Ok((status, _))) => {
                            *s.status.entry(status).or_default() += 1;
                            s.latency_us.push((done - due).as_micros() as u64);
                            s.service_us.push((done - sent).as_micros() as u64);
                            s.late_us.push(begun.saturating_duration_since(due).as_micros() as u64);
                        }
                        Ok(Err((on, e))) => {
                            s.errors += 1;
                            *s.error_kinds.entry(format!("{on} connection: {e}")).or_default() += 1;
                        }
                        Err(_) => {
                            s.errors += 1;
                            *s.error_kinds.entry(format!("timeout ({on} connection)")).or_default() += 1;
                        }
                    }
                    in_flight.fetch_sub(1, Ordering::Relaxed);
                });
            }
            late_max
        })
    };
    let pacer_late_max =
        tokio::task::spawn_blocking(move || pacer.join().expect("pacer")).await.expect("pacer join");
    let send_window = started.elapsed();
    // Let the last requests finish (bounded by the request timeout).
    let deadline = Instant::now() + REQUEST_TIMEOUT + Duration::from_secs(1);
    while in_flight.load(Ordering::Relaxed) > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let unfinished = in_flight.load(Ordering::Relaxed);
    let mut cached = std::mem::take(&mut *stats[0].lock().unwrap());
    let mut uniq = std::mem::take(&mut *stats[1].lock().unwrap());
    let mut all = Stats::default();
    all.absorb(&cached);
    all.absorb(&uniq);
    json!({
        "mode": "rate",
        "target_rate": o.rate,
        "scheduled": total,
        "send_window_s": send_window.as_secs_f64(),
        "pacer_late_max_us": pacer_late_max.as_micros() as u64,
        "unfinished": unfinished,
        "max_conns": o.max_conns,
        "connections_opened": OPENED.load(Ordering::Relaxed),
        "all": all.json(send_window),
        "cached": cached.json(send_window),
        "unique": uniq.json(send_window),
    })
}

async fn poll(o: Opts) -> Value {
    // Several replicas: a comma-separated --url list, dealt round-robin to the dashboards
    // (each keeps its connection to one replica, as behind a connection-level balancer).
    let replicas: Vec<(SocketAddr, String)> =
        o.url.split(',').map(|u| split_url(u).unwrap_or_else(|e| die(&e))).collect();
    let stats = Arc::new(Mutex::new(Stats::default()));
    let started = Instant::now();
    let end = started + o.duration;
    let mut rng = o.seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    let mut tasks = Vec::with_capacity(o.clients);
    for client in 0..o.clients {
        rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let phase = o.period.mul_f64((rng >> 11) as f64 / (1u64 << 53) as f64);
        let (addr, target) = replicas[client % replicas.len()].clone();
        let (stats, period) = (stats.clone(), o.period);
        tasks.push(tokio::spawn(async move {
            let mut conn: Option<Conn> = None;
            let mut due = started + phase;
            while due < end {
                tokio::time::sleep_until(due.into()).await;
                let sent = Instant::now();
                let result =
                    tokio::time::timeout(REQUEST_TIMEOUT, Conn::send_on(&mut conn, addr, "GET", &target, ""))
                        .await;
                let done = Instant::now();
                {
                    let mut s = stats.lock().unwrap();
                    match result {
                        Ok(Ok((status, _))) => {
                            *s.status.entry(status).or_default() += 1;
                            s.latency_us.push((done - sent).as_micros() as u64);
                            s.service_us.push((done - sent).as_micros() as u64);
                        }
                        _ => s.errors += 1,
                    }
                }
                // A dashboard polls every period from its last poll's start (no catch-up burst).
                due += period;
                if due < done {
                    due = done;
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let elapsed = started.elapsed();
    let mut s = std::mem::take(&mut *stats.lock().unwrap());
    json!({
        "mode": "poll",
        "connections_opened": OPENED.load(Ordering::Relaxed),
        "clients": o.clients,
        "period_ms": o.period.as_millis() as u64,
        "duration_s": elapsed.as_secs_f64(),
        "all": s.json(elapsed),
    })
}

/// A V3-signed `POST /?query` for the simulator: the target and the header lines.
fn signed_call(addr: SocketAddr, target: &str, key: &(String, String), nonce: &str) -> (String, String) {
    use migration_proxy::signing::{encode, v3};
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut params: Vec<(String, String)> = form_urlencoded_pairs(query);
    let action = take(&mut params, "Action").unwrap_or_else(|| "DescribeCloudMigrationResult".into());
    let version = take(&mut params, "Version").unwrap_or_else(|| "2014-08-15".into());
    let date = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let host = addr.to_string();
    let signed = v3::sign(&v3::SignRequest {
        method: "POST",
        host: &host,
        path: "/",
        query: &params,
        headers: &[],
        body: b"",
        action: &action,
        version: &version,
        date: &date,
        nonce,
        access_key_id: &key.0,
        access_key_secret: &key.1,
        security_token: None,
    });
    let mut headers = String::new();
    for (k, v) in signed.headers.iter().filter(|(k, _)| !k.eq_ignore_ascii_case("host")) {
        headers.push_str(&format!("{k}: {v}\r\n"));
    }
    let path = if path.is_empty() { "/" } else { path };
    (format!("{path}?{}", encode::canonical_query(&params)), headers)
}

fn form_urlencoded_pairs(q: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(q.as_bytes()).into_owned().collect()
}

fn take(params: &mut Vec<(String, String)>, name: &str) -> Option<String> {
    let i = params.iter().position(|(k, _)| k == name)?;
    Some(params.remove(i).1)
}

async fn closed(o: Opts) -> Value {
    let (addr, target) = split_url(&o.url).unwrap_or_else(|e| die(&e));
    if o.sign.is_some() && o.unique_url.is_some() {
        die("--sign-v3 and --unique-url do not go together");
    }
    let stats = Arc::new(Mutex::new(Stats::default()));
    let counter = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let end = started + o.duration;
    let run = format!("{:x}", std::process::id() as u64 ^ (chrono::Utc::now().timestamp_micros() as u64));
    let mut tasks = Vec::new();
    for _ in 0..o.conns {
        let (stats, counter, target, o, run) =
            (stats.clone(), counter.clone(), target.clone(), o.clone(), run.clone());
        tasks.push(tokio::spawn(async move {
            let mut conn: Option<Conn> = None;
            let mut local = Stats::default();
            while Instant::now() < end {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let (method, path, headers) = match (&o.sign, &o.unique_url) {
                    (Some(key), _) => {
                        let (p, h) = signed_call(addr, &target, key, &format!("bench-{run}-{n}"));
                        ("POST", p, h)
                    }
                    (None, Some(u)) => (
                        "GET",
                        split_url(&u.replace("{n}", &(1_000_000_000u64 + n as u64).to_string()))
                            .map(|x| x.1)
                            .unwrap_or_default(),
                        String::new(),
                    ),
                    (None, None) => ("GET", target.clone(), String::new()),
                };
                let sent = Instant::now();
                let result = tokio::time::timeout(
                    REQUEST_TIMEOUT,
                    Conn::send_on(&mut conn, addr, method, &path, &headers),
                )
                .await;
                let done = Instant::now();
                match result {
                    Ok(Ok((status, _))) => {
                        *local.status.entry(status).or_default() += 1;
                        local.latency_us.push((done - sent).as_micros() as u64);
                        local.service_us.push((done - sent).as_micros() as u64);
                    }
                    _ => local.errors += 1,
                }
            }
            stats.lock().unwrap().absorb(&local);
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let elapsed = started.elapsed();
    let mut s = std::mem::take(&mut *stats.lock().unwrap());
    json!({
        "mode": "closed",
        "connections_opened": OPENED.load(Ordering::Relaxed),
        "conns": o.conns,
        "signed": o.sign.is_some(),
        "duration_s": elapsed.as_secs_f64(),
        "all": s.json(elapsed),
    })
}

fn die(msg: &str) -> ! {
    eprintln!("loadgen: {msg}");
    std::process::exit(2)
}
