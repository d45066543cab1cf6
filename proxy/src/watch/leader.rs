//! Which replica polls. On SQLite there is one proxy per store file, so it always does. On
//! PostgreSQL, the replica holding a session-level advisory lock ([`LOCK_KEY`]) on a connection
//! of its own, outside the pool: the lock lives exactly as long as that session, so when the
//! replica dies (kill -9 included) the server drops it and the next replica to ask takes it.
//! The holder checks its connection before each round; a broken connection (PostgreSQL
//! restarted, the network gone) means the lock is gone too, and the replica steps down and asks
//! again. A moment of two leaders (one not yet aware it lost the lock) is harmless: the store's
//! unique keys make their writes of the same event one row.
use std::time::Duration;

use sqlx::postgres::PgConnection;
use sqlx::Connection;

/// The advisory lock's key: "mig-watch" in ASCII, an arbitrary constant every replica shares.
pub const LOCK_KEY: i64 = 0x006d_6967_2d77_6174;
/// Longest a lock check or connection attempt may take.
const CHECK_TIMEOUT: Duration = Duration::from_secs(5);

pub struct Leadership {
    url: Option<String>,
    conn: Option<PgConnection>,
    holding: bool,
}

impl Leadership {
    /// `None`: SQLite, always the leader.
    pub fn new(database_url: Option<String>) -> Leadership {
        Leadership { url: database_url, conn: None, holding: false }
    }

    /// Whether this replica may poll now: keeps the lock if it holds it, tries for it if not.
    pub async fn check(&mut self) -> bool {
        let Some(url) = self.url.clone() else { return true };
        match tokio::time::timeout(CHECK_TIMEOUT, self.check_pg(&url)).await {
            Ok(Ok(holding)) => {
                self.holding = holding;
            }
            Ok(Err(e)) => {
                if self.holding {
                    tracing::warn!(error = %scrub(&e, &url), "lost the watcher lock's connection; stepping down");
                }
                self.conn = None;
                self.holding = false;
            }
            Err(_) => {
                tracing::warn!("the watcher lock check timed out; stepping down");
                self.conn = None;
                self.holding = false;
            }
        }
        self.holding
    }

    async fn check_pg(&mut self, url: &str) -> Result<bool, sqlx::Error> {
        if self.conn.is_none() {
            self.conn = Some(PgConnection::connect(url).await?);
            self.holding = false;
        }
        let conn = self.conn.as_mut().expect("just set");
        if self.holding {
            // Still our session, so still our lock.
            sqlx::query("SELECT 1").execute(&mut *conn).await?;
            return Ok(true);
        }
        let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(LOCK_KEY)
            .fetch_one(&mut *conn)
            .await?;
        Ok(got)
    }
}

/// An error's text without the URL's password, in case the driver echoes it.
fn scrub(e: &sqlx::Error, url: &str) -> String {
    let text = e.to_string();
    match url::Url::parse(url).ok().and_then(|u| u.password().map(str::to_string)) {
        Some(p) if !p.is_empty() => text.replace(&p, "***"),
        _ => text,
    }
}
