//! A private PostgreSQL cluster for tests: Debian's PostgreSQL, initdb and pg_ctl run as the
//! `postgres` user (initdb refuses root) in a temporary directory that user owns, on a free
//! loopback port; stopped when dropped.
use std::path::PathBuf;
use std::process::Command;

pub struct PrivatePg {
    pub dir: PathBuf,
    pub port: u16,
}

fn bin(name: &str) -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    versions.sort();
    versions.last().map(|v| v.join("bin").join(name)).unwrap_or_else(|| PathBuf::from(name))
}

fn as_postgres(args: &[&str]) -> std::process::Output {
    let mut cmd = if unsafe_is_root() { Command::new("runuser") } else { Command::new(args[0]) };
    if unsafe_is_root() {
        cmd.args(["-u", "postgres", "--"]).args(args);
    } else {
        cmd.args(&args[1..]);
    }
    cmd.output().expect("run a PostgreSQL tool (is Debian's postgresql installed? make setup installs it)")
}

fn unsafe_is_root() -> bool {
    std::env::var("USER").map(|u| u == "root").unwrap_or(false)
        || Command::new("id").arg("-u").output().map(|o| o.stdout.starts_with(b"0")).unwrap_or(false)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl PrivatePg {
    pub fn start() -> PrivatePg {
        let dir = std::env::temp_dir().join(format!("history-pg-{}-{}", std::process::id(), free_port()));
        std::fs::create_dir_all(&dir).unwrap();
        let _ = Command::new("chown").args(["postgres:postgres", dir.to_str().unwrap()]).status();
        let data = dir.join("data");
        let out = as_postgres(&[
            bin("initdb").to_str().unwrap(),
            "-D",
            data.to_str().unwrap(),
            "-A",
            "trust",
            "-U",
            "app",
        ]);
        assert!(out.status.success(), "initdb: {}", String::from_utf8_lossy(&out.stderr));
        let port = free_port();
        let pg = PrivatePg { dir, port };
        pg.pg_ctl_start();
        pg
    }

    pub fn pg_ctl_start(&self) {
        let opts = format!("-p {} -k {} -c listen_addresses=127.0.0.1", self.port, self.dir.display());
        let log = self.dir.join("log");
        let data = self.dir.join("data");
        let out = as_postgres(&[
            bin("pg_ctl").to_str().unwrap(),
            "-D",
            data.to_str().unwrap(),
            "-o",
            &opts,
            "-l",
            log.to_str().unwrap(),
            "-w",
            "start",
        ]);
        assert!(out.status.success(), "pg_ctl start: {}", String::from_utf8_lossy(&out.stderr));
    }

    pub fn pg_ctl_stop(&self) {
        let data = self.dir.join("data");
        let _ = as_postgres(&[
            bin("pg_ctl").to_str().unwrap(),
            "-D",
            data.to_str().unwrap(),
            "-m",
            "fast",
            "-w",
            "stop",
        ]);
    }

    pub fn url(&self) -> String {
        format!("postgres://app@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for PrivatePg {
    fn drop(&mut self) {
        self.pg_ctl_stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
