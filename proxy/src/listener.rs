//! The accept loop of `serve`, run on hyper directly rather than through `axum::serve`, for what
//! slow or idle clients must not be allowed: a header-read timeout (hyper needs a timer for it to
//! work at all; on HTTP/1 it also bounds how long an idle keep-alive connection waits for its next
//! request), an HTTP/2 keep-alive ping timeout, and a cap on open connections (beyond it, new
//! connections wait in the kernel's backlog instead of costing memory here).
//!
//! [`serve_on_loops`] runs the accept loop on several threads, each a single-threaded runtime
//! accepting from the same socket (as nginx runs one worker per core): a connection, its
//! requests, their upstream calls (each loop has its own upstream connections, see
//! `upstream`) and the answers stay on one thread, with no hand-off or wake-up between
//! threads on the request path.
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::{Extension, Router};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
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

/// [`serve`] on `loops` threads of their own (at least one), each a single-threaded runtime
/// accepting from `listener`; the connection cap is shared. Returns once `shutdown` has resolved
/// and every loop has let its open requests finish.
pub async fn serve_on_loops(
    listener: TcpListener,
    router: Router,
    limits: ConnLimits,
    loops: usize,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let listener = listener.into_std()?;
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut threads = Vec::new();
    for n in 0..loops.max(1) {
        let listener = listener.try_clone()?;
        let (router, permits, mut stopped) = (router.clone(), permits.clone(), stopped.clone());
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let thread = std::thread::Builder::new().name(format!("serve-{n}")).spawn(move || {
            runtime.block_on(async move {
                let listener = TcpListener::from_std(listener)?;
                let stop = async move {
                    let _ = stopped.wait_for(|s| *s).await;
                };
                accept_loop(listener, router, limits, permits, stop).await
            })
        })?;
        threads.push(thread);
    }
    drop(stopped);
    shutdown.await;
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

async fn accept_loop(
    listener: TcpListener,
    router: Router,
    limits: ConnLimits,
    permits: Arc<Semaphore>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut builder = Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(limits.header_read_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(limits.idle_timeout / 2)
        .keep_alive_timeout(limits.idle_timeout / 2);
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            p = permits.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break },
            _ = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little rather than spin.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(router.clone().layer(Extension(ConnectInfo(peer))));
        let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), service).into_owned();
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _ = conn.await;
            drop(permit);
        });
    }
    let _ = tokio::time::timeout(Duration::from_secs(10), graceful.shutdown()).await;
    Ok(())
}
