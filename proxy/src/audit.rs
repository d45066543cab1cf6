//! The audit log: one JSON line per API call (time, user, action, instance, status, upstream
//! RequestId, latency, cache outcome). Never parameters beyond the instance, never a secret.
//! Besides the calls answered, it records calls refused before any work (401, 403, 429, with
//! `event` saying why when it is not the status alone) and fetches whose caller hung up before
//! the answer (`event: "caller-gone"`): the fetch still ran, for the cache, and cost a slot.
use std::future::Future;
use std::io::Write;
use std::path::Path;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use serde::Serialize;

#[derive(Debug, Default, Serialize)]
pub struct AuditRecord<'a> {
    pub time: String,
    pub user: &'a str,
    pub action: &'a str,
    pub instance: Option<&'a str>,
    pub status: u16,
    pub request_id: Option<&'a str>,
    pub latency_ms: u64,
    pub cache: &'a str,
    /// What happened besides the status: `rate-limited`, `caller-gone`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<&'a str>,
}

/// The time format of every record.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Cuts a value the caller chose (serde escapes what is left).
fn cut(s: &str) -> String {
    s.chars().take(64).collect()
}

/// A call refused before any work: the attempted action and instance from its URI, cut short.
pub fn refusal(audit: &AuditLog, user: &str, uri: &axum::http::Uri, status: u16, event: Option<&str>) {
    let path = uri.path();
    let action = cut(path.rsplit_once("/rds/").map_or(path, |(_, a)| a));
    let instance = uri.query().and_then(|q| {
        form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "DBInstanceName").map(|(_, v)| cut(&v))
    });
    audit.record(&AuditRecord {
        time: now(),
        user: &cut(user),
        action: &action,
        instance: instance.as_deref(),
        status,
        cache: "-",
        event,
        ..AuditRecord::default()
    });
}

/// Whether the caller who started a fetch still waits for it. [`CallerWatch::waiting`] wraps the
/// caller's side; the fetch asks [`CallerWatch::gone`] when it ends.
#[derive(Clone, Default)]
pub struct CallerWatch {
    gone: Arc<AtomicBool>,
}

impl CallerWatch {
    pub fn gone(&self) -> bool {
        self.gone.load(Ordering::Acquire)
    }

    /// `fut`, noting the caller gone if it is dropped before it ends. The note is made before
    /// `fut` itself is dropped, so a fetch handed on to a task of its own sees it.
    pub fn waiting<F: Future>(&self, fut: F) -> Waiting<F> {
        Waiting { fut: Box::pin(fut), gone: self.gone.clone(), done: false }
    }
}

/// What the audit log says of a fetch whose caller hung up, made while the caller was there.
pub struct GoneNote {
    watch: CallerWatch,
    user: String,
    action: &'static str,
    instance: Option<String>,
    started: tokio::time::Instant,
}

impl GoneNote {
    pub fn new(
        watch: &CallerWatch,
        caller: &crate::auth::Caller,
        action: &'static str,
        instance: Option<&str>,
    ) -> GoneNote {
        GoneNote {
            watch: watch.clone(),
            user: caller.name().to_string(),
            action,
            instance: instance.map(str::to_string),
            started: tokio::time::Instant::now(),
        }
    }

    /// Called when the fetch ends: one record if its caller had hung up by then, with the status
    /// the fetch came to.
    pub fn record_if_gone(&self, state: &crate::app::AppState, fetched: &crate::cache::Fetched) {
        let Some(audit) = &state.audit else { return };
        if !self.watch.gone() {
            return;
        }
        use crate::cache::Fetched;
        let status = match fetched {
            Fetched::Final(a) | Fetched::Transient(a) => a.status,
            Fetched::Failed(e) => e.status().as_u16(),
        };
        audit.record(&AuditRecord {
            time: now(),
            user: &self.user,
            action: self.action,
            instance: self.instance.as_deref(),
            status,
            request_id: None,
            latency_ms: self.started.elapsed().as_millis() as u64,
            cache: "miss",
            event: Some("caller-gone"),
        });
    }
}

pub struct Waiting<F: Future> {
    fut: Pin<Box<F>>,
    gone: Arc<AtomicBool>,
    done: bool,
}

impl<F: Future> Future for Waiting<F> {
    type Output = F::Output;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let out = self.fut.as_mut().poll(cx);
        if out.is_ready() {
            self.done = true;
        }
        out
    }
}

impl<F: Future> Drop for Waiting<F> {
    fn drop(&mut self) {
        if !self.done {
            self.gone.store(true, Ordering::Release);
        }
    }
}

pub struct AuditLog {
    sink: Mutex<Box<dyn Write + Send>>,
}

impl AuditLog {
    /// `-` writes to stdout; anything else is a file opened for appending.
    pub fn open(target: &str) -> anyhow::Result<AuditLog> {
        let sink: Box<dyn Write + Send> = if target == "-" {
            Box::new(std::io::stdout())
        } else {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(Path::new(target))
                .map_err(|e| anyhow::anyhow!("cannot open the audit log {target}: {e}"))?;
            Box::new(std::io::LineWriter::new(file))
        };
        Ok(AuditLog { sink: Mutex::new(sink) })
    }

    pub fn to_writer(sink: Box<dyn Write + Send>) -> AuditLog {
        AuditLog { sink: Mutex::new(sink) }
    }

    pub fn record(&self, record: &AuditRecord<'_>) {
        let Ok(mut line) = serde_json::to_vec(record) else { return };
        line.push(b'\n');
        let mut sink = self.sink.lock().unwrap_or_else(|p| p.into_inner());
        if let Err(e) = sink.write_all(&line).and_then(|_| sink.flush()) {
            tracing::error!("cannot write the audit log: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);
    impl Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn one_json_line_per_call() {
        let buf = Buf::default();
        let log = AuditLog::to_writer(Box::new(buf.clone()));
        for status in [200, 403] {
            log.record(&AuditRecord {
                time: "2026-11-28T01:00:00Z".into(),
                user: "alice",
                action: "DescribeCloudMigrationResult",
                instance: Some("pgm-x"),
                status,
                request_id: Some("1B983C48-9793-5EAA-8F7F-00EAEC517675"),
                latency_ms: 12,
                cache: "miss",
                event: None,
            });
        }
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["user"], "alice");
        assert_eq!(lines[1]["status"], 403);
        assert_eq!(lines[0]["cache"], "miss");
        assert!(lines[0].get("event").is_none());
    }

    #[test]
    fn refusals_name_the_attempt_cut_short() {
        let buf = Buf::default();
        let log = AuditLog::to_writer(Box::new(buf.clone()));
        let long = "x".repeat(500);
        let uri: axum::http::Uri =
            format!("/api/rds/{long}?DBInstanceName=pgm-%22a%0A&RegionId=cn").parse().unwrap();
        refusal(&log, "bob", &uri, 429, Some("rate-limited"));
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        assert_eq!(text.lines().count(), 1, "one line, the newline in the instance escaped");
        let v: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
        assert_eq!(v["status"], 429);
        assert_eq!(v["event"], "rate-limited");
        assert_eq!(v["instance"], "pgm-\"a\n");
        assert_eq!(v["action"].as_str().unwrap().len(), 64);
    }

    #[tokio::test]
    async fn a_dropped_wait_marks_the_caller_gone_a_finished_one_does_not() {
        let watch = CallerWatch::default();
        assert_eq!(watch.waiting(async { 7 }).await, 7);
        assert!(!watch.gone());
        let pending = watch.waiting(std::future::pending::<()>());
        drop(pending);
        assert!(watch.gone());
    }
}
