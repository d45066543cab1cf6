//! Every address the app builds or reads: the base path, the links to the three pages, the task
//! table's query string and the API's URLs. Encoding goes through `percent-encoding` (path
//! segments) and `form_urlencoded` (query strings); the router decodes path parameters and query
//! values, so nothing here parses a raw URL by hand. Pure, unit-tested natively.

use migration_model::contract::{
    BASE_PLACEHOLDER, DEFAULT_PAGE_SIZE, PRECHECK_PAGE_SIZE_MIN, TASK_PAGE_SIZE_MAX, TASK_PAGE_SIZE_MIN,
};
use migration_model::{MigrateStage, ReplicationState};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// First page of a list.
pub const DEFAULT_PAGE: u32 = 1;

/// What a path segment keeps unencoded: RFC 3986's unreserved characters.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Percent-encodes one path segment.
pub fn segment(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}

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
    let mut out = String::new();
    for s in raw.split('/').filter(|s| !s.is_empty()) {
        if s == "." || s == ".." {
            return String::new();
        }
        out.push('/');
        out.push_str(s);
    }
    out
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
    /// The precheck tab's result, failures first.
    Result,
    /// The task's attention verdict, worst first.
    Attention,
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
    pub const ALL: [SortKey; 12] = [
        SortKey::TaskId,
        SortKey::TaskName,
        SortKey::Source,
        SortKey::Stage,
        SortKey::Result,
        SortKey::Attention,
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
            SortKey::Result => "result",
            SortKey::Attention => "attention",
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

/// Which rows of the page on screen are shown (`?show=attention&stage=…&state=…`). Applied by
/// the app to the page it has, never sent to the service (which filters only by ID, name,
/// address and port).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RowFilter {
    /// `?show=attention`: only tasks that need attention.
    pub attention: bool,
    /// `?stage=`: only tasks at this `MigrateStage` (a documented wire value).
    pub stage: Option<String>,
    /// `?state=`: only tasks in this `ReplicationState` (a documented wire value).
    pub state: Option<String>,
}

impl RowFilter {
    /// True when it hides anything.
    pub fn is_active(&self) -> bool {
        self.attention || self.stage.is_some() || self.state.is_some()
    }
}

/// The state of the instance page that lives in the URL's query string
/// (`?tab&page&size&taskId&taskName&sourceIp&sourcePort&sort&show&stage&state`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskListQuery {
    /// `?page`, 1-based; invalid or missing values mean [`DEFAULT_PAGE`].
    pub page: u32,
    /// `?size`, clamped to the list's bounds; invalid or missing mean the default (30).
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
    /// `?sort=column` or `?sort=-column`: how the rows of the page on screen are ordered. Not sent
    /// to the service, which does not sort.
    pub sort: Option<Sort>,
    /// `?show&stage&state`: the on-screen filter of the task rows (tasks tab only).
    pub rows: RowFilter,
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
            rows: RowFilter::default(),
        }
    }
}

fn non_empty(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// A value from the URL when it is one of `allowed`.
fn known(v: Option<String>, allowed: &[String]) -> Option<String> {
    non_empty(v).filter(|v| allowed.contains(v))
}

/// A page number from the URL: 1 or more, else the first page.
pub fn page_param(v: Option<String>) -> u32 {
    v.and_then(|v| v.trim().parse::<u32>().ok()).filter(|p| *p >= 1).unwrap_or(DEFAULT_PAGE)
}

impl TaskListQuery {
    /// Reads the query from a lookup of decoded values (the router's query map in the app).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Self {
        let tab = match get("tab").as_deref().map(str::trim) {
            Some("prechecks") => Tab::Prechecks,
            _ => Tab::Tasks,
        };
        let min = match tab {
            Tab::Tasks => TASK_PAGE_SIZE_MIN,
            Tab::Prechecks => PRECHECK_PAGE_SIZE_MIN,
        };
        let size = get("size")
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(|s| s.clamp(u64::from(min), u64::from(TASK_PAGE_SIZE_MAX)) as u32)
            .unwrap_or(DEFAULT_PAGE_SIZE);
        Self {
            tab,
            sort: get("sort").as_deref().and_then(Sort::parse),
            page: page_param(get("page")),
            size,
            task_id: get("taskId").and_then(|v| v.trim().parse().ok()),
            task_name: non_empty(get("taskName")),
            source_ip: non_empty(get("sourceIp")),
            source_port: get("sourcePort")
                .and_then(|v| v.trim().parse::<u32>().ok())
                .filter(|p| (1..=65_535).contains(p)),
            rows: match tab {
                Tab::Tasks => RowFilter {
                    attention: get("show").is_some_and(|v| v.trim() == "attention"),
                    stage: known(get("stage"), &MigrateStage::ALL.map(|s| s.as_str().to_owned())),
                    state: known(get("state"), &ReplicationState::ALL.map(|s| s.as_str().to_owned())),
                },
                Tab::Prechecks => RowFilter::default(),
            },
        }
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
            Tab::Prechecks => self.size.max(PRECHECK_PAGE_SIZE_MIN),
            Tab::Tasks => self.size,
        };
        Self { tab, page: DEFAULT_PAGE, size, sort: None, rows: RowFilter::default(), ..self.clone() }
    }

    /// The same query sorted another way.
    pub fn with_sort(&self, sort: Option<Sort>) -> Self {
        Self { sort, ..self.clone() }
    }

    /// The same query with another on-screen filter (same page: it only hides rows).
    pub fn with_rows(&self, rows: RowFilter) -> Self {
        Self { rows, ..self.clone() }
    }

    /// The first page of `tab` narrowed by the service to one source's address and port: how a
    /// precheck report links to the tasks from its source, and a task to its prechecks.
    pub fn of_source(tab: Tab, ip: &str, port: u32) -> Self {
        Self { tab, source_ip: Some(ip.to_owned()), source_port: Some(port), ..Self::default() }
    }

    /// The same query without filters, from the first page.
    pub fn without_filters(&self) -> Self {
        Self { page: 1, task_id: None, task_name: None, source_ip: None, source_port: None, ..self.clone() }
    }

    /// The query string for the URL, starting with `?`, or `""` when everything is default.
    /// Defaults are left out so that the canonical URL stays short.
    pub fn to_query_string(&self) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        if self.tab == Tab::Prechecks {
            q.append_pair("tab", "prechecks");
        }
        if self.page != DEFAULT_PAGE {
            q.append_pair("page", &self.page.to_string());
        }
        if self.size != DEFAULT_PAGE_SIZE {
            q.append_pair("size", &self.size.to_string());
        }
        if let Some(id) = self.task_id {
            q.append_pair("taskId", &id.to_string());
        }
        if let Some(name) = &self.task_name {
            q.append_pair("taskName", name);
        }
        if let Some(ip) = &self.source_ip {
            q.append_pair("sourceIp", ip);
        }
        if let Some(port) = self.source_port {
            q.append_pair("sourcePort", &port.to_string());
        }
        if let Some(sort) = self.sort {
            q.append_pair("sort", &sort.to_param());
        }
        if self.rows.attention {
            q.append_pair("show", "attention");
        }
        if let Some(stage) = &self.rows.stage {
            q.append_pair("stage", stage);
        }
        if let Some(state) = &self.rows.state {
            q.append_pair("state", state);
        }
        with_question_mark(q.finish())
    }
}

fn with_question_mark(query: String) -> String {
    if query.is_empty() {
        query
    } else {
        format!("?{query}")
    }
}

/// `{base}/`: the instance picker.
pub fn home_href(base: &str) -> String {
    format!("{base}/")
}

/// `{base}/?region={region}[&page={page}]`: the picker browsing a region.
pub fn browse_href(base: &str, region: &str, page: u32) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    q.append_pair("region", region);
    if page > 1 {
        q.append_pair("page", &page.to_string());
    }
    format!("{}{}", home_href(base), with_question_mark(q.finish()))
}

/// `{base}/regions/{region}/instances/{instance}{?query}`: the instance's lists.
pub fn instance_href(base: &str, region: &str, instance: &str, query: &TaskListQuery) -> String {
    format!("{base}/regions/{}/instances/{}{}", segment(region), segment(instance), query.to_query_string())
}

/// `{base}/regions/{region}/instances/{instance}/tasks/{task_id}`: one task.
pub fn task_href(base: &str, region: &str, instance: &str, task_id: u64) -> String {
    format!("{base}/regions/{}/instances/{}/tasks/{task_id}", segment(region), segment(instance))
}

/// `{base}/api/{rest}?{params}`: an API call. `rest` has no leading slash.
pub fn api_url(base: &str, rest: &str, params: &[(String, String)]) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    q.extend_pairs(params);
    format!("{base}/api/{}{}", rest.trim_start_matches('/'), with_question_mark(q.finish()))
}

/// Checks an identifier typed by a user (instance ID, region ID) before it becomes part of a URL:
/// trimmed, non-empty, and limited to the characters Alibaba's identifiers use.
pub fn clean_identifier(raw: &str) -> Option<String> {
    let s = raw.trim();
    let ok = !s.is_empty()
        && s.len() <= 128
        && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    ok.then(|| s.to_owned())
}

/// Number of pages for `total` items at `size` per page (at least 1).
pub fn page_count(total: u64, size: u32) -> u64 {
    let size = u64::from(size.max(1));
    total.div_ceil(size).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The router hands the app decoded values; this does the same for a test's query string.
    fn parse(qs: &str) -> TaskListQuery {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(qs.trim_start_matches('?').as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        TaskListQuery::from_lookup(|key| pairs.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.clone()))
    }

    #[test]
    fn base_is_normalized() {
        assert_eq!(normalize_base(""), "");
        assert_eq!(normalize_base("/"), "");
        assert_eq!(normalize_base(BASE_PLACEHOLDER), "");
        assert_eq!(normalize_base("/migrations/"), "/migrations");
        assert_eq!(normalize_base("migrations"), "/migrations");
        assert_eq!(normalize_base(" /a//b/ "), "/a/b");
        assert_eq!(normalize_base("https://evil.example/x"), "");
        assert_eq!(normalize_base("//evil.example"), "");
        assert_eq!(normalize_base("/a/../b"), "");
        assert_eq!(normalize_base("/a?x=1"), "");
    }

    #[test]
    fn query_defaults_and_clamps() {
        assert_eq!(parse(""), TaskListQuery::default());
        assert_eq!(TaskListQuery::default().to_query_string(), "");
        let q = parse("?page=3&size=10");
        assert_eq!((q.page, q.size), (3, 10));
        let q = parse("page=0&size=1000");
        assert_eq!((q.page, q.size), (1, 100));
        let q = parse("page=abc&size=-5");
        assert_eq!((q.page, q.size), (1, 30));
        assert_eq!(parse("size=0").size, 1);
        assert_eq!(parse("page=2&page=4").page, 4, "the last value wins");
    }

    #[test]
    fn query_filters_round_trip() {
        let q = parse("taskId=440437220&taskName=my%20task&sourceIp=172.16.0.1&sourcePort=5432");
        assert_eq!(q.task_id, Some(440_437_220));
        assert_eq!(q.task_name.as_deref(), Some("my task"));
        assert_eq!(q.source_port, Some(5432));
        assert!(q.has_filters());
        let q = parse("taskId=x&taskName=%20&sourcePort=70000");
        assert_eq!((q.task_id, q.task_name, q.source_port), (None, None, None));
        let q = TaskListQuery {
            page: 2,
            size: 50,
            task_id: Some(7),
            task_name: Some("a&b c".into()),
            source_port: Some(5432),
            ..TaskListQuery::default()
        };
        let s = q.to_query_string();
        assert_eq!(s, "?page=2&size=50&taskId=7&taskName=a%26b+c&sourcePort=5432");
        assert_eq!(parse(&s), q);
        assert_eq!(q.without_filters().to_query_string(), "?size=50");
    }

    #[test]
    fn hrefs_carry_the_base() {
        let q = TaskListQuery::default();
        assert_eq!(home_href("/m"), "/m/");
        assert_eq!(browse_href("/m", "ap-southeast-5", 1), "/m/?region=ap-southeast-5");
        assert_eq!(browse_href("", "r", 2), "/?region=r&page=2");
        assert_eq!(
            instance_href("/m", "cn-hangzhou", "pgm-x", &q.with_page(2)),
            "/m/regions/cn-hangzhou/instances/pgm-x?page=2"
        );
        assert_eq!(task_href("", "r", "pgm-x", 42), "/regions/r/instances/pgm-x/tasks/42");
        assert_eq!(instance_href("", "r", "a/b c", &q), "/regions/r/instances/a%2Fb%20c");
        let params =
            vec![("RegionId".to_owned(), "cn-hangzhou".to_owned()), ("A".to_owned(), "x y".to_owned())];
        assert_eq!(api_url("/m", "rds/X", &params), "/m/api/rds/X?RegionId=cn-hangzhou&A=x+y");
        assert_eq!(api_url("", "session", &[]), "/api/session");
    }

    #[test]
    fn tabs_and_sorting() {
        let q = parse("tab=prechecks&size=10&sort=-lag&taskName=x");
        assert_eq!(q.tab, Tab::Prechecks);
        assert_eq!(q.size, 30, "the precheck list starts at 30");
        assert_eq!(q.sort, Some(Sort { key: SortKey::Lag, desc: true }));
        assert_eq!(q.to_query_string(), "?tab=prechecks&taskName=x&sort=-lag");
        assert_eq!(q.with_tab(Tab::Tasks).to_query_string(), "?taskName=x");
        assert_eq!(parse("sort=bogus").sort, None);
        let s = Sort::cycle(None, SortKey::Stage);
        assert_eq!(s, Some(Sort { key: SortKey::Stage, desc: false }));
        let s = Sort::cycle(s, SortKey::Stage);
        assert_eq!(s, Some(Sort { key: SortKey::Stage, desc: true }));
        assert_eq!(Sort::cycle(s, SortKey::Stage), None);
        for k in SortKey::ALL {
            assert_eq!(Sort::parse(k.as_str()), Some(Sort { key: k, desc: false }));
        }
    }

    #[test]
    fn pages() {
        assert_eq!(page_count(0, 30), 1);
        assert_eq!(page_count(30, 30), 1);
        assert_eq!(page_count(31, 30), 2);
        assert_eq!(page_count(5, 0), 5);
    }

    #[test]
    fn on_screen_filter_round_trips() {
        let q = parse("show=attention&stage=increment&state=streaming&page=2");
        assert!(q.rows.attention);
        assert_eq!(q.rows.stage.as_deref(), Some("increment"));
        assert_eq!(q.rows.state.as_deref(), Some("streaming"));
        assert!(q.rows.is_active());
        assert!(!q.has_filters(), "the on-screen filter is not the service's");
        assert_eq!(q.to_query_string(), "?page=2&show=attention&stage=increment&state=streaming");
        assert_eq!(parse(&q.to_query_string()), q);
        // Unknown values are dropped; the precheck tab has no such filter.
        let q = parse("show=everything&stage=bogus&state=");
        assert_eq!(q.rows, RowFilter::default());
        assert_eq!(parse("tab=prechecks&show=attention").rows, RowFilter::default());
        let q = parse("stage=increment&page=3");
        assert_eq!(q.with_tab(Tab::Prechecks).to_query_string(), "?tab=prechecks");
        assert_eq!(q.with_rows(RowFilter::default()).to_query_string(), "?page=3");
    }

    #[test]
    fn source_links() {
        let q = TaskListQuery::of_source(Tab::Prechecks, "172.16.0.1", 5432);
        assert_eq!(q.to_query_string(), "?tab=prechecks&sourceIp=172.16.0.1&sourcePort=5432");
        assert_eq!(
            TaskListQuery::of_source(Tab::Tasks, "fd00::1", 1).to_query_string(),
            "?sourceIp=fd00%3A%3A1&sourcePort=1"
        );
    }

    #[test]
    fn identifiers_are_checked() {
        assert_eq!(clean_identifier(" pgm-bp1 ").as_deref(), Some("pgm-bp1"));
        assert_eq!(clean_identifier(""), None);
        assert_eq!(clean_identifier("a/b"), None);
        assert_eq!(clean_identifier("pgm bad"), None);
    }
}
