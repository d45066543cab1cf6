//! The real `migration-proxy` binary as a test process: started with its start-up line read for
//! the port (`... http://addr/ ...`), killed (SIGKILL, no clean-up of any kind) when dropped or
//! on [`Proc::kill9`]; and a bounded wait for what such a process is expected to do.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The simulator's demo credentials, as a proxy's environment.
pub const CREDS: &[(&str, &str)] = &[
    ("ALIBABA_CLOUD_ACCESS_KEY_ID", migration_proxy::simulator::DEMO_ACCESS_KEY_ID),
    ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", migration_proxy::simulator::DEMO_ACCESS_KEY_SECRET),
];

pub struct Proc {
    pub child: Child,
    pub port: u16,
    /// Its start-up line.
    pub line: String,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Proc {
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// SIGKILL: no clean-up of any kind.
    pub fn kill9(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_migration-proxy")
}

/// Starts the binary with `args` and `envs` (no dist, `RUST_LOG=info`), its log to `log`, and
/// reads its start-up line for the port. `Err` holds the log when it did not start.
pub fn spawn(args: &[&str], log: &Path, envs: &[(&str, &str)]) -> Result<Proc, String> {
    let mut cmd = Command::new(bin());
    cmd.args(args)
        .env("MIGRATION_PROXY_DIST", "/nonexistent-dist")
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(log).unwrap());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    let _ = BufReader::new(stdout).read_line(&mut line);
    let port = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .and_then(|addr| addr.rsplit(':').next())
        .and_then(|p| p.parse().ok());
    match port {
        Some(port) => Ok(Proc { child, port, line }),
        None => {
            let _ = child.kill();
            let _ = child.wait();
            Err(std::fs::read_to_string(log).unwrap_or_default())
        }
    }
}

/// Waits up to `patience` (a bug, not slowness, when it runs out) for `check` to give a value,
/// asking every `every`.
pub async fn wait_until<T, F, Fut>(what: &str, patience: Duration, every: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let until = tokio::time::Instant::now() + patience;
    while tokio::time::Instant::now() < until {
        if let Some(v) = check().await {
            return v;
        }
        tokio::time::sleep(every).await;
    }
    panic!("waited {patience:?} for {what}");
}
