//! The instance page as HTML text: its heading and tabs, the filter form, the table header with
//! its sort buttons, the cells of each row, and the pager. Pure (unit-tested natively); the
//! page (`pages/instance.rs`) owns the data and the keyed rows, and handles the controls'
//! events through `data-action` (see `components/cells.rs`).

use crate::display::{page_count, row_keys, RowKey};
use crate::html::{opt, Html};
use crate::i18n::{t, tf, Key, Lang};
use crate::markup::{age_html, bytes_html, opt_html, stage_html, state_html, time_html};
use crate::routes::{Sort, SortKey, Tab, TaskListQuery, MAX_PAGE_SIZE, PRECHECK_MIN_PAGE_SIZE};
use crate::rows::{order_rows, PrecheckRow, TaskRow};
use migration_model::SourceCategory;

/// One column of a list: its header, how it sorts, and its cells' class and test id.
#[derive(Clone, Copy, Debug)]
pub struct Column {
    /// The header's text.
    pub label: Key,
    /// The sort key, when the column sorts.
    pub sort: Option<SortKey>,
    /// The cells' class.
    pub class: &'static str,
    /// The cells' `data-testid`.
    pub testid: &'static str,
}

const fn col(label: Key, sort: SortKey, class: &'static str, testid: &'static str) -> Column {
    Column { label, sort: Some(sort), class, testid }
}

/// The migration-task table. The first column (TaskId, a link) is rendered by the page.
pub const TASK_COLUMNS: [Column; 10] = [
    col(Key::ColTaskId, SortKey::TaskId, "num", "task-id"),
    col(Key::ColTaskName, SortKey::TaskName, "task-name", "task-name"),
    col(Key::ColSource, SortKey::Source, "source", "source"),
    col(Key::ColStage, SortKey::Stage, "", "stage"),
    col(Key::ColReplicationState, SortKey::State, "", "replication-state"),
    col(Key::ColLag, SortKey::Lag, "num lag", "lag"),
    col(Key::ColLastMessage, SortKey::LastMessage, "time", "last-message"),
    col(Key::ColCreated, SortKey::Created, "time", "created"),
    col(Key::ColModified, SortKey::Modified, "time", "modified"),
    col(Key::ColSwitch, SortKey::Switch, "time", "switch-time"),
];

/// The precheck table. The first column (TaskId) and the last (the checklist toggle) are
/// rendered by the page.
pub const PRECHECK_COLUMNS: [Column; 7] = [
    col(Key::ColTaskId, SortKey::TaskId, "num", "task-id"),
    col(Key::ColTaskName, SortKey::TaskName, "task-name", "task-name"),
    col(Key::ColSource, SortKey::Source, "source", "source"),
    col(Key::ColVerdict, SortKey::Stage, "", "verdict"),
    col(Key::ColCreated, SortKey::Created, "time", "created"),
    col(Key::ColModified, SortKey::Modified, "time", "modified"),
    Column { label: Key::ColChecks, sort: None, class: "", testid: "checks" },
];

/// A row as the page shows it: the key, the ID, the HTML of its other cells (in column order,
/// without the first), and for precheck reports the log the checklist is read from.
#[derive(Clone, Debug, PartialEq)]
pub struct ListRow {
    /// Stable key (TaskId, else position).
    pub key: RowKey,
    /// TaskId.
    pub id: Option<u64>,
    /// The HTML of cells 1.. of the table's columns.
    pub cells: Vec<String>,
    /// `Detail` of a precheck report.
    pub detail: Option<String>,
}

/// Address, then account and source type on a second line.
fn source_html(
    h: &mut Html,
    source: Option<&str>,
    account: Option<&str>,
    category: Option<&SourceCategory>,
    l: Lang,
) {
    h.open("span", &[("class", "mono")]);
    opt_html(h, source, l);
    h.close("span").open("span", &[("class", "source__more muted")]);
    h.el("span", &[("data-testid", "source-account")], account.unwrap_or(""));
    if account.is_some() && category.is_some() {
        h.text(" · ");
    }
    h.el(
        "span",
        &[("data-testid", "source-category"), opt("title", category.map(|c| c.label(l)))],
        category.map(|c| c.as_str()).unwrap_or(""),
    );
    h.close("span");
}

fn cell(f: impl FnOnce(&mut Html)) -> String {
    let mut h = Html::new();
    f(&mut h);
    h.finish()
}

/// The rows of the task table, in display order (sorted when the URL says so).
pub fn task_rows(rows: &[TaskRow], sort: Option<Sort>, l: Lang, now_ms: f64) -> Vec<ListRow> {
    let keys = row_keys(rows.iter().map(|r| r.id));
    order_rows(rows, sort, TaskRow::sort_value)
        .into_iter()
        .map(|i| {
            let r = &rows[i];
            ListRow {
                key: keys[i],
                id: r.id,
                cells: vec![
                    cell(|h| opt_html(h, r.name.as_deref(), l)),
                    cell(|h| {
                        source_html(h, r.source.as_deref(), r.account.as_deref(), r.category.as_ref(), l)
                    }),
                    cell(|h| stage_html(h, r.stage.as_ref(), l)),
                    cell(|h| state_html(h, r.state.as_ref(), l)),
                    cell(|h| {
                        bytes_html(h, r.lag_not_replayed, "lag-not-replayed", l);
                        h.el("span", &[("class", "muted")], " / ");
                        bytes_html(h, r.lag_behind_source, "lag-behind-source", l);
                    }),
                    cell(|h| age_html(h, r.last_message_ms, now_ms, l)),
                    cell(|h| time_html(h, &r.created, l)),
                    cell(|h| time_html(h, &r.modified, l)),
                    cell(|h| time_html(h, &r.switch, l)),
                ],
                detail: None,
            }
        })
        .collect()
}

/// The rows of the precheck table, in display order.
pub fn precheck_rows(rows: &[PrecheckRow], sort: Option<Sort>, l: Lang) -> Vec<ListRow> {
    let keys = row_keys(rows.iter().map(|r| r.id));
    order_rows(rows, sort, PrecheckRow::sort_value)
        .into_iter()
        .map(|i| {
            let r = &rows[i];
            let v = r.verdict;
            ListRow {
                key: keys[i],
                id: r.id,
                cells: vec![
                    cell(|h| opt_html(h, r.name.as_deref(), l)),
                    cell(|h| {
                        source_html(h, r.source.as_deref(), r.account.as_deref(), r.category.as_ref(), l)
                    }),
                    cell(|h| {
                        h.el(
                            "span",
                            &[
                                ("class", &format!("badge badge--verdict-{}", v.as_str())),
                                ("data-verdict", v.as_str()),
                            ],
                            v.label(l),
                        );
                        h.el(
                            "span",
                            &[("class", "check-counts muted")],
                            &tf(
                                l,
                                Key::CheckCounts,
                                &[
                                    ("success", &r.counts.success.to_string()),
                                    ("warning", &r.counts.warning.to_string()),
                                    ("failure", &r.counts.failure.to_string()),
                                ],
                            ),
                        );
                    }),
                    cell(|h| time_html(h, &r.created, l)),
                    cell(|h| time_html(h, &r.modified, l)),
                ],
                detail: r.detail.clone(),
            }
        })
        .collect()
}

/// The header row: each sortable column's header is a button (`data-action="sort"`) with
/// `aria-sort` on its `<th>`.
pub fn thead_html(columns: &[Column], sort: Option<Sort>, l: Lang) -> String {
    let mut h = Html::new();
    h.open("tr", &[]);
    for c in columns {
        let Some(key) = c.sort else {
            h.el("th", &[("scope", "col")], t(l, c.label));
            continue;
        };
        let (aria, arrow) = match sort {
            Some(s) if s.key == key && !s.desc => ("ascending", "▲"),
            Some(s) if s.key == key => ("descending", "▼"),
            _ => ("none", "↕"),
        };
        let testid = format!("sort-{}", key.as_str());
        h.open("th", &[("scope", "col"), ("aria-sort", aria)]);
        h.open(
            "button",
            &[
                ("type", "button"),
                ("class", "sort"),
                ("data-action", "sort"),
                ("data-arg", key.as_str()),
                ("data-testid", &testid),
                ("aria-describedby", "sort-note"),
            ],
        );
        h.text(t(l, c.label));
        h.el("span", &[("class", "sort__arrow"), ("aria-hidden", "true")], arrow);
        h.close("button").close("th");
    }
    h.close("tr");
    h.finish()
}

/// Breadcrumb, heading and the two tabs (links to the same instance with `?tab`).
pub fn list_head_html(
    home: &str,
    instance: &str,
    region: &str,
    query: &TaskListQuery,
    href: &dyn Fn(&TaskListQuery) -> String,
    l: Lang,
) -> String {
    let mut h = Html::new();
    h.open("nav", &[("class", "breadcrumb"), ("aria-label", t(l, Key::Breadcrumb))]);
    h.el("a", &[("href", home), ("data-testid", "crumb-home")], t(l, Key::NavHome));
    h.el("span", &[("aria-hidden", "true")], " › ");
    h.el("span", &[("aria-current", "page")], instance);
    h.close("nav");
    h.open("div", &[("class", "page__head")]);
    h.el("h1", &[("id", "instance-heading")], &tf(l, Key::InstanceHeading, &[("instance", instance)]));
    h.el(
        "p",
        &[("class", "page__subtitle"), ("data-testid", "instance-subtitle")],
        &tf(l, Key::InstanceRegion, &[("region", region)]),
    );
    h.close("div");
    h.open("nav", &[("class", "tabs"), ("aria-label", t(l, Key::TabsLabel)), ("data-testid", "tabs")]);
    for (tab, label, testid) in
        [(Tab::Tasks, Key::TabTasks, "tab-tasks"), (Tab::Prechecks, Key::TabPrechecks, "tab-prechecks")]
    {
        h.el(
            "a",
            &[
                ("href", &href(&query.with_tab(tab))),
                ("class", "tabs__tab"),
                ("data-testid", testid),
                opt("aria-current", (query.tab == tab).then_some("page")),
            ],
            t(l, label),
        );
    }
    h.close("nav");
    h.finish()
}

fn input_html(h: &mut Html, name: &str, label: Key, numeric: bool, value: Option<String>, l: Lang) {
    let id = format!("filter-{name}");
    h.open("div", &[("class", "field field--compact")]);
    h.el("label", &[("for", &id)], t(l, label));
    h.open(
        "input",
        &[
            ("id", &id),
            ("name", name),
            ("type", "text"),
            ("inputmode", if numeric { "numeric" } else { "text" }),
            ("autocomplete", "off"),
            ("data-testid", &id),
            ("aria-describedby", "filter-error"),
            ("value", &value.unwrap_or_default()),
        ],
    );
    h.close("div");
}

/// The service-side filters (TaskId, TaskName, SourceIpAddress, SourcePort) as a form
/// (`data-action="filters"`), filled from the URL, with Apply and Clear.
pub fn filters_html(q: &TaskListQuery, invalid: bool, l: Lang) -> String {
    let mut h = Html::new();
    h.open(
        "form",
        &[("class", "filters"), ("data-testid", "filters"), ("data-action", "filters"), ("novalidate", "")],
    );
    h.open("fieldset", &[]);
    h.el("legend", &[], t(l, Key::FiltersHeading));
    h.open("div", &[("class", "filters__fields")]);
    input_html(&mut h, "taskId", Key::ColTaskId, true, q.task_id.map(|v| v.to_string()), l);
    input_html(&mut h, "taskName", Key::ColTaskName, false, q.task_name.clone(), l);
    input_html(&mut h, "sourceIp", Key::FilterSourceIp, false, q.source_ip.clone(), l);
    input_html(&mut h, "sourcePort", Key::FilterSourcePort, true, q.source_port.map(|v| v.to_string()), l);
    h.close("div").open("div", &[("class", "filters__actions")]);
    h.el(
        "button",
        &[("type", "submit"), ("class", "button"), ("data-testid", "apply-filters")],
        t(l, Key::ApplyFilters),
    );
    h.el(
        "button",
        &[
            ("type", "button"),
            ("class", "button button--quiet"),
            ("data-testid", "clear-filters"),
            ("data-action", "clear-filters"),
        ],
        t(l, Key::ClearFilters),
    );
    h.close("div");
    h.el(
        "p",
        &[
            ("id", "filter-error"),
            ("class", "field-error"),
            ("data-testid", "filter-error"),
            ("aria-live", "polite"),
        ],
        if invalid { t(l, Key::FilterInvalid) } else { "" },
    );
    h.close("fieldset").close("form");
    h.finish()
}

/// Reads the filter form's fields into the query (first page, other settings kept); `None`
/// when the task ID or the port is not a whole number (the port 1 to 65535).
pub fn apply_filters(q: &TaskListQuery, fields: &[(String, String)]) -> Option<TaskListQuery> {
    let field = |name: &str| {
        fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_owned()).filter(|v| !v.is_empty())
    };
    let task_id = match field("taskId") {
        Some(v) => Some(v.parse::<u64>().ok()?),
        None => None,
    };
    let source_port = match field("sourcePort") {
        Some(v) => Some(v.parse::<u32>().ok().filter(|p| (1..=65_535).contains(p))?),
        None => None,
    };
    Some(TaskListQuery {
        page: 1,
        task_id,
        task_name: field("taskName"),
        source_ip: field("sourceIp"),
        source_port,
        ..q.clone()
    })
}

/// Totals, first/previous/next links (other parameters kept) and the page size
/// (`data-action="page-size"`).
pub fn pager_html(q: &TaskListQuery, total: u64, href: &dyn Fn(&TaskListQuery) -> String, l: Lang) -> String {
    let pages = page_count(total, q.size);
    let page = u64::from(q.page);
    let mut h = Html::new();
    h.open("nav", &[("class", "pager"), ("aria-label", t(l, Key::Pagination)), ("data-testid", "pager")]);
    h.el(
        "p",
        &[("class", "pager__summary"), ("data-testid", "total")],
        &tf(
            l,
            Key::TotalTasks,
            &[("total", &total.to_string()), ("page", &page.to_string()), ("pages", &pages.to_string())],
        ),
    );
    h.open("ul", &[("class", "pager__links")]);
    let mut link = |to: u32, rel: &str, testid: &str, label: Key| {
        h.open("li", &[]);
        h.el(
            "a",
            &[
                ("href", &href(&q.with_page(to))),
                opt("rel", (!rel.is_empty()).then_some(rel)),
                ("data-testid", testid),
            ],
            t(l, label),
        );
        h.close("li");
    };
    if page > 1 {
        link(1, "", "page-first", Key::FirstPage);
        link(q.page - 1, "prev", "page-prev", Key::PrevPage);
    }
    if page < pages {
        link(q.page + 1, "next", "page-next", Key::NextPage);
    }
    h.close("ul");
    let min = match q.tab {
        Tab::Tasks => 10,
        Tab::Prechecks => PRECHECK_MIN_PAGE_SIZE,
    };
    h.open("label", &[("class", "field-inline")]);
    h.el("span", &[], t(l, Key::PageSize));
    h.open("select", &[("data-testid", "page-size"), ("data-action", "page-size")]);
    for s in [10, 30, 50, MAX_PAGE_SIZE].into_iter().filter(|s| *s >= min) {
        h.el(
            "option",
            &[("value", &s.to_string()), opt("selected", (s == q.size).then_some(""))],
            &s.to_string(),
        );
    }
    h.close("select").close("label").close("nav");
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use migration_model::seed_example_task;

    fn href(q: &TaskListQuery) -> String {
        format!("/i{}", q.to_query_string())
    }

    #[test]
    fn rows_render_every_cell() {
        let row = TaskRow::of(&seed_example_task());
        let rows = task_rows(&[row], None, Lang::En, 0.0);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].cells.len(), TASK_COLUMNS.len() - 1);
        assert!(rows[0].cells[2].contains(">switch</code>"));
        assert!(rows[0].cells[4].contains("data-bytes=\"0\""));
        assert_eq!(rows[0].key, RowKey::Task(440437220));
    }

    #[test]
    fn header_and_pager() {
        let sort = Sort::parse("-lag");
        let head = thead_html(&TASK_COLUMNS, sort, Lang::En);
        assert!(head.contains(r#"<th scope="col" aria-sort="descending"><button type="button" class="sort" data-action="sort" data-arg="lag""#), "{head}");
        assert_eq!(head.matches("aria-sort=\"none\"").count(), 9);
        let pre = thead_html(&PRECHECK_COLUMNS, None, Lang::Id);
        assert!(pre.contains("<th scope=\"col\">Pemeriksaan</th>"));

        let q = TaskListQuery::from_query_string("page=2&size=10&taskName=a");
        let pager = pager_html(&q, 42, &href, Lang::En);
        assert!(pager.contains("42 in total · page 2 of 5"));
        assert!(pager.contains(r#"href="/i?size=10&amp;taskName=a" data-testid="page-first""#), "{pager}");
        assert!(pager.contains(r#"href="/i?page=3&amp;size=10&amp;taskName=a" rel="next""#));
        assert!(pager.contains(r#"<option value="10" selected="">10</option>"#));
        let last = pager_html(&q.with_page(5), 42, &href, Lang::En);
        assert!(!last.contains("page-next"));
    }

    #[test]
    fn filters() {
        let q = TaskListQuery::from_query_string("page=3&sort=stage&taskId=7");
        let html = filters_html(&q, false, Lang::En);
        assert!(html.contains(r#"name="taskId" type="text" inputmode="numeric""#));
        assert!(html.contains(r#"value="7""#));
        let f = |k: &str, v: &str| (k.to_owned(), v.to_owned());
        let next =
            apply_filters(&q, &[f("taskId", " 9 "), f("taskName", ""), f("sourcePort", "5432")]).unwrap();
        assert_eq!((next.page, next.task_id, next.source_port), (1, Some(9), Some(5432)));
        assert_eq!(next.sort, q.sort, "sorting is kept");
        assert!(apply_filters(&q, &[f("taskId", "x")]).is_none());
        assert!(apply_filters(&q, &[f("sourcePort", "70000")]).is_none());
        let head = list_head_html("/", "pgm-x", "cn-hangzhou", &q, &href, Lang::En);
        assert!(head.contains(r#"data-testid="tab-tasks" aria-current="page""#), "{head}");
        assert!(head.contains(r#"href="/i?tab=prechecks&amp;taskId=7""#));
    }
}
