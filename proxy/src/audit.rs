//! The audit log: one JSON line per API call (time, user, action, instance, status, upstream
//! RequestId, latency, cache outcome). Never parameters beyond the instance, never a secret.
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct AuditRecord<'a> {
    pub time: String,
    pub user: &'a str,
    pub action: &'a str,
    pub instance: Option<&'a str>,
    pub status: u16,
    pub request_id: Option<&'a str>,
    pub latency_ms: u64,
    pub cache: &'a str,
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
            });
        }
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["user"], "alice");
        assert_eq!(lines[1]["status"], 403);
        assert_eq!(lines[0]["cache"], "miss");
    }
}
