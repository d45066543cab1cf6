//! The accept loop of `serve`, run on hyper directly rather than through `axum::serve`, for what
//! slow or idle clients must not be allowed: a header-read timeout (hyper needs a timer for it to
//! work at all; on HTTP/1 it also bounds how long an idle keep-alive connection waits for its next
//! request), an HTTP/2 keep-alive ping timeout, and a cap on open connections (beyond it, new
//! connections wait in the kernel's backlog instead of costing memory here).
//!
//! [`serve_on_loops`] serves on several threads, each a single-threaded runtime (as nginx runs
//! one worker per core), and deals accepted connections to them in turn: a connection, its
//! requests, their upstream calls (each loop has its own upstream connections, see
//! `upstream`) and the answers stay on one thread, with no hand-off or wake-up between
//! threads on the request path (only the connection itself is handed over, once).
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

#[derive(Clone, Copy, Debug)]
pub struct ConnLimits {
    /// Longest a client may take to send a request's headers, and (HTTP/1) to start its next one.
    pub header_read_timeout: Duration,
    /// HTTP/2: a connection whose keep-alive ping is not answered in this time is closed.
    pub idle_timeout: Duration,
    /// Open connections at most.
    pub max_connections: usize,
}

impl Default for ConnLimits {
    fn default() -> Self {
        ConnLimits {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: 1024,
        }
    }
}

/// Serves `router` on `listener` until `shutdown` resolves, then lets open requests finish (at
/// most 10 s). Each request carries the peer address as `ConnectInfo<SocketAddr>`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnLimits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    accept_loop(listener, router, limits, permits, shutdown).await
}

/// [`serve`] on `loops` threads of their own (at least one), each a single-threaded runtime.
/// Connections are accepted here and dealt to the loops in turn, so that two connections
/// opened together do not both land on whichever loop woke first while the other core idles
/// (which is what loops that each accepted from the socket did). After the hand-out, a
/// connection stays on its loop. The connection cap is shared. Returns once `shutdown` has
/// resolved and every loop has let its open requests finish.
pub async fn serve_on_loops(
    listener: TcpListener,
    router: Router,
    limits: ConnLimits,
    loops: usize,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut threads = Vec::new();
    let mut loops_in = Vec::new();
    for n in 0..loops.max(1) {
        let (give, taken) = tokio::sync::mpsc::unbounded_channel::<Handed>();
        loops_in.push(give);
        let (router, mut stopped) = (router.clone(), stopped.clone());
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let thread = std::thread::Builder::new().name(format!("serve-{n}")).spawn(move || {
            runtime.block_on(async move {
                let stop = async move {
                    let _ = stopped.wait_for(|s| *s).await;
                };
                connection_loop(taken, router, limits, stop).await
            })
        })?;
        threads.push(thread);
    }
    drop(stopped);
    tokio::pin!(shutdown);
    let mut next = 0;
    loop {
        let Some((stream, peer, permit)) = accept_next(&listener, &permits, shutdown.as_mut()).await else {
            break;
        };
        // Off this runtime's reactor (still non-blocking), onto the chosen loop's.
        let Ok(stream) = stream.into_std() else { continue };
        if loops_in[next].send(Handed { stream, peer, permit }).is_err() {
            break; // a loop has stopped: only on shutdown or a panic
        }
        next = (next + 1) % loops_in.len();
    }
    drop(loops_in);
    let _ = stop.send(true);
    let joined = tokio::task::spawn_blocking(move || {
        threads
            .into_iter()
            .map(|t| t.join().unwrap_or_else(|_| Err(std::io::Error::other("a loop panicked"))))
            .collect::<std::io::Result<Vec<()>>>()
    })
    .await
    .map_err(std::io::Error::other)?;
    joined.map(|_| ())
}

/// A connection accepted by [`serve_on_loops`], for one of its loops.
struct Handed {
    stream: std::net::TcpStream,
    peer: std::net::SocketAddr,
    permit: tokio::sync::OwnedSemaphorePermit,
}

/// One loop of [`serve_on_loops`]: serves the connections handed to it until `shutdown`.
async fn connection_loop(
    mut taken: tokio::sync::mpsc::UnboundedReceiver<Handed>,
    router: Router,
    limits: ConnLimits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let builder = connection_builder(limits);
    tokio::pin!(shutdown);
    loop {
        let handed = tokio::select! {
            h = taken.recv() => match h { Some(h) => h, None => break },
            _ = &mut shutdown => break,
        };
        let Ok(stream) = tokio::net::TcpStream::from_std(handed.stream) else { continue };
        serve_connection(&builder, &graceful, &router, stream, handed.peer, handed.permit);
    }
    let _ = tokio::time::timeout(Duration::from_secs(10), graceful.shutdown()).await;
    Ok(())
}

/// hyper's connection settings from `limits`: the header-read timeout, HTTP/2 keep-alive.
fn connection_builder(limits: ConnLimits) -> Builder<TokioExecutor> {
    let mut builder = Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(limits.header_read_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(limits.idle_timeout / 2)
        .keep_alive_timeout(limits.idle_timeout / 2);
    builder
}

/// Serves one connection on the current runtime; its permit is released when it closes.
fn serve_connection(
    builder: &Builder<TokioExecutor>,
    graceful: &hyper_util::server::graceful::GracefulShutdown,
    router: &Router,
    stream: tokio::net::TcpStream,
    peer: std::net::SocketAddr,
    permit: tokio::sync::OwnedSemaphorePermit,
) {
    let _ = stream.set_nodelay(true);
    // The peer is put on each request as it comes: layering the router per connection would
    // wrap each of its routes again for every connection, and box each request once more.
    let router = router.clone();
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        tower::Service::call(&mut router.clone(), request)
    });
    let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), service).into_owned();
    let conn = graceful.watch(conn);
    tokio::spawn(async move {
        let _ = conn.await;
        drop(permit);
    });
}

/// The next connection, once the connection cap allows one; `None` once `shutdown` resolves.
async fn accept_next(
    listener: &TcpListener,
    permits: &Arc<Semaphore>,
    mut shutdown: std::pin::Pin<&mut impl Future<Output = ()>>,
) -> Option<(tokio::net::TcpStream, std::net::SocketAddr, tokio::sync::OwnedSemaphorePermit)> {
    let permit = tokio::select! {
        p = permits.clone().acquire_owned() => p.ok()?,
        _ = &mut shutdown => return None,
    };
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => return Some((stream, peer, permit)),
                Err(e) => {
                    // Out of file descriptors and the like: wait a little rather than spin.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            _ = &mut shutdown => return None,
        }
    }
}

async fn accept_loop(
    listener: TcpListener,
    router: Router,
    limits: ConnLimits,
    permits: Arc<Semaphore>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let builder = connection_builder(limits);
    tokio::pin!(shutdown);
    loop {
        let Some((stream, peer, permit)) = accept_next(&listener, &permits, shutdown.as_mut()).await else {
            break;
        };
        serve_connection(&builder, &graceful, &router, stream, peer, permit);
    }
    let _ = tokio::time::timeout(Duration::from_secs(10), graceful.shutdown()).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// One request on an open keep-alive connection; the answer's body.
    async fn ask(conn: &mut tokio::net::TcpStream) -> String {
        conn.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").await.unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 1024];
        loop {
            let n =
                tokio::time::timeout(Duration::from_secs(20), conn.read(&mut buf)).await.unwrap().unwrap();
            assert!(n > 0, "the connection closed before its answer");
            got.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&got);
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let len: usize = head
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length: ")
                            .map(|v| v.trim().parse().unwrap())
                    })
                    .unwrap();
                if body.len() >= len {
                    return body[..len].to_owned();
                }
            }
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn connections_are_dealt_to_the_loops_in_turn_and_stay_on_theirs() {
        // Each answer names the thread that served it.
        let router = Router::new().route(
            "/",
            axum::routing::get(|| async { std::thread::current().name().unwrap_or("?").to_owned() }),
        );
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve_on_loops(listener, router, ConnLimits::default(), 2, async {
            let _ = stopped.await;
        }));
        // Opened together, as a browser or a load generator opens them.
        let mut a = tokio::net::TcpStream::connect(addr).await.unwrap();
        let mut b = tokio::net::TcpStream::connect(addr).await.unwrap();
        let (first_a, first_b) = (ask(&mut a).await, ask(&mut b).await);
        assert!(first_a.starts_with("serve-") && first_b.starts_with("serve-"), "{first_a} {first_b}");
        assert_ne!(first_a, first_b, "two connections opened together share one loop");
        for _ in 0..3 {
            assert_eq!(ask(&mut a).await, first_a, "a connection moved to another loop");
            assert_eq!(ask(&mut b).await, first_b, "a connection moved to another loop");
        }
        drop((a, b));
        stop.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(20), server).await.unwrap().unwrap().unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_connection_cap_holds_across_loops() {
        let router = Router::new().route("/", axum::routing::get(|| async { "ok" }));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let limits = ConnLimits { max_connections: 2, ..ConnLimits::default() };
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve_on_loops(listener, router, limits, 2, async {
            let _ = stopped.await;
        }));
        let mut a = tokio::net::TcpStream::connect(addr).await.unwrap();
        let mut b = tokio::net::TcpStream::connect(addr).await.unwrap();
        assert_eq!(ask(&mut a).await, "ok");
        assert_eq!(ask(&mut b).await, "ok");
        // A third waits in the kernel's backlog until one of the two closes.
        let mut c = tokio::net::TcpStream::connect(addr).await.unwrap();
        c.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").await.unwrap();
        let mut buf = [0u8; 64];
        assert!(
            tokio::time::timeout(Duration::from_millis(300), c.read(&mut buf)).await.is_err(),
            "a third connection was served over the cap"
        );
        drop(a);
        let n = tokio::time::timeout(Duration::from_secs(20), c.read(&mut buf)).await.unwrap().unwrap();
        assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
        drop((b, c));
        stop.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(20), server).await.unwrap().unwrap().unwrap();
    }
}
