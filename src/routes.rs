//! The app's URLs: the base path, the three routes of DESIGN.md and their query strings.
//!
//! Pure string logic only (no browser types), so it is unit-tested natively. Every link the app
//! renders and every navigation it performs is built here, with the runtime base path in front;
//! `nav.rs` (the small History-API router) reads paths back with [`Route::parse`].

/// The placeholder Trunk writes into `index.html`; the proxy replaces it with its base path.
/// If it is still there (for example under `trunk serve`), the app runs at the root.
pub const BASE_PLACEHOLDER: &str = "/__MIGRATION_BASE__";

/// First page of the task list.
pub const DEFAULT_PAGE: u32 = 1;
/// Default page size of the task list (DESIGN.md: "default the UI to 30").
pub const DEFAULT_PAGE_SIZE: u32 = 30;
/// Page sizes the proxy accepts for DescribeCloudMigrationResult.
pub const MIN_PAGE_SIZE: u32 = 1;
/// See [`MIN_PAGE_SIZE`].
pub const MAX_PAGE_SIZE: u32 = 100;

/// Turns the raw `content` of `<meta name="migration-base">` into a base path: either `""`
/// (served at the root) or `/segment[/segment...]` without a trailing slash.
///
/// Anything odd (a full URL, a `//host` prefix, the unreplaced placeholder) falls back to `""`
/// rather than sending API calls somewhere unexpected.
pub fn normalize_base(raw: &str) -> String {
    let raw = raw.trim();
    if raw.is_empty() || raw == BASE_PLACEHOLDER || raw.starts_with("//") || raw.contains("://") {
        return String::new();
    }
    if raw.contains(['?', '#', '\\']) || raw.chars().any(char::is_whitespace) {
        return String::new();
    }
    let trimmed = raw.trim_matches('/');
    if trimmed.is_empty() {
        return String::new();
    }
    let mut out = String::with_capacity(trimmed.len() + 1);
    for segment in trimmed.split('/').filter(|s| !s.is_empty()) {
        if segment == "." || segment == ".." {
            return String::new();
        }
        out.push('/');
        out.push_str(segment);
    }
    out
}

/// Percent-encodes one path segment or query value: everything except RFC 3986's unreserved
/// characters (`A-Z a-z 0-9 - . _ ~`).
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(hex_digit(b >> 4));
            out.push(hex_digit(b & 0x0f));
        }
    }
    out
}

fn hex_digit(n: u8) -> char {
    char::from_digit(u32::from(n), 16).unwrap_or('0').to_ascii_uppercase()
}

/// Decodes `%XX` escapes (the router hands path parameters over still encoded). Invalid escapes
/// are kept as they are; invalid UTF-8 is replaced, never panicked on.
pub fn decode_component(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hi = (bytes[i + 1] as char).to_digit(16);
            let lo = (bytes[i + 2] as char).to_digit(16);
            if let (Some(hi), Some(lo)) = (hi, lo) {
                out.push((hi * 16 + lo) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The state of the task table that lives in the URL's query string
/// (`?page&size&taskId&taskName&sourceIp&sourcePort`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskListQuery {
    /// `?page`, 1-based; invalid or missing values mean [`DEFAULT_PAGE`].
    pub page: u32,
    /// `?size`, clamped to [`MIN_PAGE_SIZE`]..=[`MAX_PAGE_SIZE`]; invalid or missing mean
    /// [`DEFAULT_PAGE_SIZE`].
    pub size: u32,
    /// `?taskId` filter.
    pub task_id: Option<u64>,
    /// `?taskName` filter.
    pub task_name: Option<String>,
    /// `?sourceIp` filter.
    pub source_ip: Option<String>,
    /// `?sourcePort` filter.
    pub source_port: Option<u32>,
    /// `?tab=prechecks`: the precheck reports instead of the migration tasks.
    pub tab: Tab,
    /// `?sort=column` (ascending) or `?sort=-column` (descending): how the rows of the page on
    /// screen are ordered. Not sent to the service, which does not sort.
    pub sort: Option<Sort>,
}

impl Default for TaskListQuery {
    fn default() -> Self {
        Self {
            page: DEFAULT_PAGE,
            size: DEFAULT_PAGE_SIZE,
            task_id: None,
            task_name: None,
            source_ip: None,
            source_port: None,
            tab: Tab::Tasks,
            sort: None,
        }
    }
}

/// The two lists of the instance page.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Tab {
    /// Migration tasks (DescribeCloudMigrationResult).
    #[default]
    Tasks,
    /// Precheck reports (DescribeCloudMigrationPrecheckResult).
    Prechecks,
}

/// Page sizes the proxy accepts for the precheck list (documented 30–100).
pub const PRECHECK_MIN_PAGE_SIZE: u32 = 30;

/// A column the rows on screen can be sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortKey {
    /// TaskId.
    TaskId,
    /// TaskName.
    TaskName,
    /// Source address.
    Source,
    /// MigrateStage, in stage order.
    Stage,
    /// ReplicationState, in documented order.
    State,
    /// Bytes not yet replayed.
    Lag,
    /// Age of the last message.
    LastMessage,
    /// GmtCreated.
    Created,
    /// GmtModified.
    Modified,
    /// SwitchTime.
    Switch,
}

impl SortKey {
    /// Every column, in table order.
    pub const ALL: [SortKey; 10] = [
        SortKey::TaskId,
        SortKey::TaskName,
        SortKey::Source,
        SortKey::Stage,
        SortKey::State,
        SortKey::Lag,
        SortKey::LastMessage,
        SortKey::Created,
        SortKey::Modified,
        SortKey::Switch,
    ];

    /// The URL form.
    pub fn as_str(self) -> &'static str {
        match self {
            SortKey::TaskId => "taskId",
            SortKey::TaskName => "taskName",
            SortKey::Source => "source",
            SortKey::Stage => "stage",
            SortKey::State => "state",
            SortKey::Lag => "lag",
            SortKey::LastMessage => "lastMessage",
            SortKey::Created => "created",
            SortKey::Modified => "modified",
            SortKey::Switch => "switch",
        }
    }

    fn parse(s: &str) -> Option<SortKey> {
        SortKey::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A sort order: a column and a direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sort {
    /// The column.
    pub key: SortKey,
    /// True for descending.
    pub desc: bool,
}

impl Sort {
    /// Reads `column` or `-column`.
    pub fn parse(s: &str) -> Option<Sort> {
        let s = s.trim();
        match s.strip_prefix('-') {
            Some(k) => SortKey::parse(k).map(|key| Sort { key, desc: true }),
            None => SortKey::parse(s).map(|key| Sort { key, desc: false }),
        }
    }

    /// The URL form.
    pub fn to_param(self) -> String {
        format!("{}{}", if self.desc { "-" } else { "" }, self.key.as_str())
    }

    /// What a click on `key`'s header does to `current`: ascending first, then descending,
    /// then back to the service's order.
    pub fn cycle(current: Option<Sort>, key: SortKey) -> Option<Sort> {
        match current {
            Some(Sort { key: k, desc: false }) if k == key => Some(Sort { key, desc: true }),
            Some(Sort { key: k, desc: true }) if k == key => None,
            _ => Some(Sort { key, desc: false }),
        }
    }
}

fn non_empty(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

impl TaskListQuery {
    /// Reads the query from a lookup function (the router's query map in the app, a closure
    /// over pairs in tests). Values are already percent-decoded by the caller.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Self {
        let page = get("page")
            .and_then(|v| v.trim().parse::<u32>().ok())
            .filter(|p| *p >= 1)
            .unwrap_or(DEFAULT_PAGE);
        let tab = match get("tab").as_deref().map(str::trim) {
            Some("prechecks") => Tab::Prechecks,
            _ => Tab::Tasks,
        };
        // The precheck list only accepts 30-100 (documented).
        let min = match tab {
            Tab::Tasks => MIN_PAGE_SIZE,
            Tab::Prechecks => PRECHECK_MIN_PAGE_SIZE,
        };
        let size = get("size")
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(|s| s.clamp(u64::from(min), u64::from(MAX_PAGE_SIZE)) as u32)
            .unwrap_or(DEFAULT_PAGE_SIZE);
        Self {
            tab,
            sort: get("sort").as_deref().and_then(Sort::parse),
            page,
            size,
            task_id: get("taskId").and_then(|v| v.trim().parse().ok()),
            task_name: non_empty(get("taskName")),
            source_ip: non_empty(get("sourceIp")),
            source_port: get("sourcePort")
                .and_then(|v| v.trim().parse::<u32>().ok())
                .filter(|p| (1..=65_535).contains(p)),
        }
    }

    /// Parses a raw query string (`a=1&b=2`, with or without the leading `?`).
    pub fn from_query_string(qs: &str) -> Self {
        let pairs: Vec<(String, String)> = qs
            .trim_start_matches('?')
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (decode_component(&k.replace('+', " ")), decode_component(&v.replace('+', " ")))
            })
            .collect();
        Self::from_lookup(|key| pairs.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.clone()))
    }

    /// True when a filter narrows the list (used to word the empty state).
    pub fn has_filters(&self) -> bool {
        self.task_id.is_some()
            || self.task_name.is_some()
            || self.source_ip.is_some()
            || self.source_port.is_some()
    }

    /// The same query on another page.
    pub fn with_page(&self, page: u32) -> Self {
        Self { page: page.max(1), ..self.clone() }
    }

    /// The same filters on the other tab, from its first page, in the service's order.
    pub fn with_tab(&self, tab: Tab) -> Self {
        let size = match tab {
            Tab::Prechecks => self.size.max(PRECHECK_MIN_PAGE_SIZE),
            Tab::Tasks => self.size,
        };
        Self { tab, page: DEFAULT_PAGE, size, sort: None, ..self.clone() }
    }

    /// The same query sorted another way.
    pub fn with_sort(&self, sort: Option<Sort>) -> Self {
        Self { sort, ..self.clone() }
    }

    /// The query string for the URL, starting with `?`, or `""` when everything is default.
    /// Defaults are left out so that the canonical URL stays short.
    pub fn to_query_string(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if self.tab == Tab::Prechecks {
            pairs.push(("tab", "prechecks".to_owned()));
        }
        if self.page != DEFAULT_PAGE {
            pairs.push(("page", self.page.to_string()));
        }
        if self.size != DEFAULT_PAGE_SIZE {
            pairs.push(("size", self.size.to_string()));
        }
        if let Some(id) = self.task_id {
            pairs.push(("taskId", id.to_string()));
        }
        if let Some(name) = &self.task_name {
            pairs.push(("taskName", name.clone()));
        }
        if let Some(ip) = &self.source_ip {
            pairs.push(("sourceIp", ip.clone()));
        }
        if let Some(port) = self.source_port {
            pairs.push(("sourcePort", port.to_string()));
        }
        if let Some(sort) = self.sort {
            pairs.push(("sort", sort.to_param()));
        }
        if pairs.is_empty() {
            return String::new();
        }
        let body: Vec<String> =
            pairs.into_iter().map(|(k, v)| format!("{k}={}", encode_component(&v))).collect();
        format!("?{}", body.join("&"))
    }
}

/// Which page a path (below the base) shows. Path segments are percent-decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// `/`: the instance picker.
    Home,
    /// `/regions/{RegionId}/instances/{DBInstanceName}`: the instance's lists.
    Instance {
        /// `RegionId`.
        region: String,
        /// `DBInstanceName`.
        instance: String,
    },
    /// `/regions/{RegionId}/instances/{DBInstanceName}/tasks/{TaskId}`: one task. The ID is
    /// kept as written; the page says so when it is not a number.
    Task {
        /// `RegionId`.
        region: String,
        /// `DBInstanceName`.
        instance: String,
        /// `TaskId` as written in the URL.
        task_id: String,
    },
    /// Anything else.
    NotFound,
}

impl Route {
    /// Reads a path below the base (`/`, `/regions/...`); a trailing slash is ignored.
    pub fn parse(path: &str) -> Route {
        let segments: Vec<String> = path.split('/').filter(|s| !s.is_empty()).map(decode_component).collect();
        let s: Vec<&str> = segments.iter().map(String::as_str).collect();
        match s.as_slice() {
            [] => Route::Home,
            ["regions", region, "instances", instance] => {
                Route::Instance { region: (*region).to_owned(), instance: (*instance).to_owned() }
            }
            ["regions", region, "instances", instance, "tasks", id] => Route::Task {
                region: (*region).to_owned(),
                instance: (*instance).to_owned(),
                task_id: (*id).to_owned(),
            },
            _ => Route::NotFound,
        }
    }
}

/// The part of a location's path below the base (always starting with `/`); `None` when the
/// path is not under the base at all.
pub fn strip_base(base: &str, path: &str) -> Option<String> {
    let rest = path.strip_prefix(base)?;
    if rest.is_empty() {
        Some("/".to_owned())
    } else if rest.starts_with('/') {
        Some(rest.to_owned())
    } else {
        None
    }
}

/// True when an `href` written in the app (an absolute path) points into the app under `base`,
/// so the router can handle it without a page load.
pub fn is_app_href(base: &str, href: &str) -> bool {
    if !href.starts_with('/') || href.starts_with("//") {
        return false;
    }
    let path = href.split(['?', '#']).next().unwrap_or("");
    strip_base(base, path).is_some()
}

/// `{base}/`: the instance picker.
pub fn home_href(base: &str) -> String {
    format!("{base}/")
}

/// `{base}/regions/{region}/instances/{instance}{?query}`: the task table.
pub fn instance_href(base: &str, region: &str, instance: &str, query: &TaskListQuery) -> String {
    format!(
        "{base}/regions/{}/instances/{}{}",
        encode_component(region),
        encode_component(instance),
        query.to_query_string()
    )
}

/// `{base}/regions/{region}/instances/{instance}/tasks/{task_id}`: one task.
pub fn task_href(base: &str, region: &str, instance: &str, task_id: u64) -> String {
    format!(
        "{base}/regions/{}/instances/{}/tasks/{task_id}",
        encode_component(region),
        encode_component(instance)
    )
}

/// `{base}/api/{rest}`: where the proxy's API lives. `rest` has no leading slash.
pub fn api_url(base: &str, rest: &str) -> String {
    format!("{base}/api/{}", rest.trim_start_matches('/'))
}

/// Checks an identifier typed by a user (instance ID, region ID) before it becomes part of a URL:
/// trimmed, non-empty, and limited to the characters Alibaba's identifiers use.
pub fn clean_identifier(raw: &str) -> Option<String> {
    let s = raw.trim();
    if s.is_empty() || s.len() > 128 {
        return None;
    }
    if s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')) {
        Some(s.to_owned())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_is_normalized() {
        assert_eq!(normalize_base(""), "");
        assert_eq!(normalize_base("/"), "");
        assert_eq!(normalize_base(BASE_PLACEHOLDER), "");
        assert_eq!(normalize_base("/migrations"), "/migrations");
        assert_eq!(normalize_base("/migrations/"), "/migrations");
        assert_eq!(normalize_base("migrations"), "/migrations");
        assert_eq!(normalize_base(" /a//b/ "), "/a/b");
        assert_eq!(normalize_base("https://evil.example/x"), "");
        assert_eq!(normalize_base("//evil.example"), "");
        assert_eq!(normalize_base("/a/../b"), "");
        assert_eq!(normalize_base("/a?x=1"), "");
    }

    #[test]
    fn components_round_trip() {
        for s in ["pgm-bp102g323jd4demo", "a b/c?d&e=f", "ünï", "100%", "%", "%4", "%zz"] {
            assert_eq!(decode_component(&encode_component(s)), s, "{s}");
        }
        assert_eq!(encode_component("a b/c"), "a%20b%2Fc");
        assert_eq!(decode_component("a%20b%2Fc"), "a b/c");
        assert_eq!(decode_component("100%"), "100%");
        assert_eq!(decode_component("%zz"), "%zz");
        assert_eq!(decode_component("%e2%9c%93"), "\u{2713}");
    }

    #[test]
    fn query_defaults() {
        let q = TaskListQuery::from_query_string("");
        assert_eq!(q, TaskListQuery::default());
        assert_eq!(q.page, 1);
        assert_eq!(q.size, 30);
        assert_eq!(q.to_query_string(), "");
        assert!(!q.has_filters());
    }

    #[test]
    fn query_parses_and_clamps() {
        let q = TaskListQuery::from_query_string("?page=3&size=10");
        assert_eq!((q.page, q.size), (3, 10));
        let q = TaskListQuery::from_query_string("page=0&size=1000");
        assert_eq!((q.page, q.size), (1, 100));
        let q = TaskListQuery::from_query_string("page=abc&size=-5");
        assert_eq!((q.page, q.size), (1, 30));
        let q = TaskListQuery::from_query_string("size=0");
        assert_eq!(q.size, 1);
        let q = TaskListQuery::from_query_string("page=2&page=4");
        assert_eq!(q.page, 4, "the last value wins");
    }

    #[test]
    fn query_filters() {
        let q = TaskListQuery::from_query_string(
            "taskId=440437220&taskName=my%20task&sourceIp=172.16.0.1&sourcePort=5432",
        );
        assert_eq!(q.task_id, Some(440_437_220));
        assert_eq!(q.task_name.as_deref(), Some("my task"));
        assert_eq!(q.source_ip.as_deref(), Some("172.16.0.1"));
        assert_eq!(q.source_port, Some(5432));
        assert!(q.has_filters());
        let q = TaskListQuery::from_query_string("taskId=x&taskName=%20&sourcePort=70000");
        assert_eq!(q.task_id, None);
        assert_eq!(q.task_name, None);
        assert_eq!(q.source_port, None);
    }

    #[test]
    fn query_round_trips() {
        let q = TaskListQuery {
            page: 2,
            size: 50,
            task_id: Some(7),
            task_name: Some("a&b c".into()),
            source_ip: None,
            source_port: Some(5432),
            ..TaskListQuery::default()
        };
        let s = q.to_query_string();
        assert_eq!(s, "?page=2&size=50&taskId=7&taskName=a%26b%20c&sourcePort=5432");
        assert_eq!(TaskListQuery::from_query_string(&s), q);
        assert_eq!(q.with_page(0).page, 1);
        assert_eq!(q.with_page(5).task_id, Some(7));
    }

    #[test]
    fn hrefs_carry_the_base() {
        let q = TaskListQuery::default();
        assert_eq!(home_href(""), "/");
        assert_eq!(home_href("/m"), "/m/");
        assert_eq!(
            instance_href("", "cn-hangzhou", "pgm-bp102g323jd4demo", &q),
            "/regions/cn-hangzhou/instances/pgm-bp102g323jd4demo"
        );
        assert_eq!(
            instance_href("/m", "cn-hangzhou", "pgm-x", &q.with_page(2)),
            "/m/regions/cn-hangzhou/instances/pgm-x?page=2"
        );
        assert_eq!(
            task_href("/m", "cn-hangzhou", "pgm-x", 440437220),
            "/m/regions/cn-hangzhou/instances/pgm-x/tasks/440437220"
        );
        assert_eq!(instance_href("", "r", "a/b", &q), "/regions/r/instances/a%2Fb");
        assert_eq!(api_url("", "session"), "/api/session");
        assert_eq!(
            api_url("/m", "/rds/DescribeCloudMigrationResult"),
            "/m/api/rds/DescribeCloudMigrationResult"
        );
    }

    #[test]
    fn routes_parse() {
        assert_eq!(Route::parse("/"), Route::Home);
        assert_eq!(Route::parse(""), Route::Home);
        assert_eq!(
            Route::parse("/regions/cn-hangzhou/instances/pgm-x/"),
            Route::Instance { region: "cn-hangzhou".into(), instance: "pgm-x".into() }
        );
        assert_eq!(
            Route::parse("/regions/r/instances/a%2Fb/tasks/42"),
            Route::Task { region: "r".into(), instance: "a/b".into(), task_id: "42".into() }
        );
        assert_eq!(Route::parse("/regions/r"), Route::NotFound);
        assert_eq!(Route::parse("/nope"), Route::NotFound);
    }

    #[test]
    fn base_is_stripped() {
        assert_eq!(strip_base("", "/regions").as_deref(), Some("/regions"));
        assert_eq!(strip_base("/m", "/m").as_deref(), Some("/"));
        assert_eq!(strip_base("/m", "/m/x").as_deref(), Some("/x"));
        assert_eq!(strip_base("/m", "/mx"), None);
        assert_eq!(strip_base("/m", "/other"), None);
        assert!(is_app_href("/m", "/m/regions/r?page=2"));
        assert!(is_app_href("", "/regions/r"));
        assert!(!is_app_href("/m", "/other"));
        assert!(!is_app_href("", "//evil.example/x"));
        assert!(!is_app_href("", "https://example.com/"));
        assert!(!is_app_href("", "#main"));
    }

    #[test]
    fn tabs_and_sorting() {
        let q = TaskListQuery::from_query_string("tab=prechecks&size=10&sort=-lag&taskName=x");
        assert_eq!(q.tab, Tab::Prechecks);
        assert_eq!(q.size, 30, "the precheck list starts at 30");
        assert_eq!(q.sort, Some(Sort { key: SortKey::Lag, desc: true }));
        assert_eq!(q.to_query_string(), "?tab=prechecks&taskName=x&sort=-lag");
        let back = q.with_tab(Tab::Tasks);
        assert_eq!(back.to_query_string(), "?taskName=x");
        assert_eq!(TaskListQuery::from_query_string("sort=bogus").sort, None);
        let s = Sort::cycle(None, SortKey::Stage);
        assert_eq!(s, Some(Sort { key: SortKey::Stage, desc: false }));
        let s = Sort::cycle(s, SortKey::Stage);
        assert_eq!(s, Some(Sort { key: SortKey::Stage, desc: true }));
        assert_eq!(Sort::cycle(s, SortKey::Stage), None);
        assert_eq!(Sort::cycle(s, SortKey::Lag), Some(Sort { key: SortKey::Lag, desc: false }));
        for k in SortKey::ALL {
            assert_eq!(Sort::parse(k.as_str()), Some(Sort { key: k, desc: false }));
        }
    }

    #[test]
    fn identifiers_are_checked() {
        assert_eq!(clean_identifier(" pgm-bp1 ").as_deref(), Some("pgm-bp1"));
        assert_eq!(clean_identifier("cn-hangzhou").as_deref(), Some("cn-hangzhou"));
        assert_eq!(clean_identifier(""), None);
        assert_eq!(clean_identifier("a/b"), None);
        assert_eq!(clean_identifier("a?b"), None);
    }
}
