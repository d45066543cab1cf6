//! `/?region&page`: the instance picker. The instances opened recently (localStorage), a field
//! to type or paste an instance ID, and the RDS for PostgreSQL instances of a region
//! (DescribeRegions, DescribeDBInstances) to pick from.
//!
//! The sections are HTML text (see `html.rs`); their controls carry `data-action` and the
//! page's root handles them.

use crate::components::cells::{action_of, control_value, form_fields, html_block, html_memo};
use crate::components::status::pending_view;
use crate::context::{effect, flag, use_app, Loader};
use crate::display::page_count;
use crate::html::{opt, Html};
use crate::i18n::{t, tf, Key, Lang};
use crate::nav::use_nav;
use crate::prefs::{clear_recent, load_recent, set_title};
use crate::routes::{clean_identifier, encode_component, home_href, instance_href, TaskListQuery};
use leptos::prelude::*;
use migration_model::{DbInstance, RdsRegion};

/// The simulator's demo instance (DESIGN.md).
pub const DEMO_INSTANCE: &str = "pgm-bp102g323jd4demo";
/// The demo instance's region.
pub const DEMO_REGION: &str = "cn-hangzhou";

/// Reads `?region` and `?page` of the picker.
pub fn home_query(qs: &str) -> (Option<String>, u32) {
    let q = TaskListQuery::from_query_string(qs);
    let region = qs
        .split('&')
        .find_map(|p| p.strip_prefix("region="))
        .map(crate::routes::decode_component)
        .and_then(|r| clean_identifier(&r));
    (region, q.page)
}

/// The picker's address for a region and page.
pub fn browse_href(base: &str, region: &str, page: u32) -> String {
    let mut href = format!("{}?region={}", home_href(base), encode_component(region));
    if page > 1 {
        href.push_str(&format!("&page={page}"));
    }
    href
}

/// The recently opened instances, with a button that forgets them.
pub fn recent_html(base: &str, recent: &[(String, String)], l: Lang) -> String {
    let mut h = Html::new();
    if recent.is_empty() {
        return String::new();
    }
    h.open(
        "section",
        &[("class", "panel"), ("aria-labelledby", "recent-heading"), ("data-testid", "recent")],
    );
    h.el("h2", &[("id", "recent-heading")], t(l, Key::RecentHeading));
    h.open("ul", &[("class", "link-list")]);
    for (r, i) in recent {
        h.open("li", &[]);
        h.el(
            "a",
            &[
                ("href", &instance_href(base, r, i, &TaskListQuery::default())),
                ("data-testid", "recent-link"),
            ],
            i,
        );
        h.text(" ");
        h.el("span", &[("class", "muted")], r);
        h.close("li");
    }
    h.close("ul");
    h.el(
        "button",
        &[
            ("type", "button"),
            ("class", "button button--quiet button--small"),
            ("data-testid", "recent-clear"),
            ("data-action", "recent-clear"),
        ],
        t(l, Key::RecentClear),
    );
    h.close("section");
    h.finish()
}

/// The state of the form that opens an instance by its ID.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FormState {
    /// The instance field as typed.
    pub instance: String,
    /// The region field as typed, `None` until edited (then it follows the browsed region).
    pub region: Option<String>,
    /// The instance ID was rejected.
    pub instance_error: bool,
    /// The region ID was rejected.
    pub region_error: bool,
}

fn field_html(h: &mut Html, id: &str, label: Key, hint: Key, error: Option<Key>, value: &str, l: Lang) {
    let (hint_id, error_id) = (format!("{id}-hint"), format!("{id}-error"));
    h.open("div", &[("class", "field")]);
    h.el("label", &[("for", id)], t(l, label));
    h.open(
        "input",
        &[
            ("id", id),
            ("name", id),
            ("type", "text"),
            ("autocomplete", "off"),
            ("spellcheck", "false"),
            ("autocapitalize", "off"),
            ("required", ""),
            ("data-testid", id),
            ("data-action", "field"),
            ("aria-describedby", &format!("{hint_id} {error_id}")),
            ("aria-invalid", if error.is_some() { "true" } else { "false" }),
            ("value", value),
        ],
    );
    h.el("p", &[("id", &hint_id), ("class", "hint")], t(l, hint));
    h.el(
        "p",
        &[("id", &error_id), ("class", "field-error"), ("data-testid", &error_id), ("aria-live", "polite")],
        error.map_or("", |e| t(l, e)),
    );
    h.close("div");
}

/// The form that opens an instance by its ID (and region), and the demo instance's link.
pub fn form_html(base: &str, state: &FormState, region_default: &str, l: Lang) -> String {
    let mut h = Html::new();
    h.open("section", &[("class", "panel"), ("aria-labelledby", "form-heading")]);
    h.el("h2", &[("id", "form-heading")], t(l, Key::FormHeading));
    h.open(
        "form",
        &[
            ("class", "picker"),
            ("data-testid", "instance-form"),
            ("data-action", "open-instance"),
            ("novalidate", ""),
        ],
    );
    field_html(
        &mut h,
        "instance-input",
        Key::FieldInstance,
        Key::FieldInstanceHint,
        state.instance_error.then_some(Key::InstanceInvalid),
        &state.instance,
        l,
    );
    field_html(
        &mut h,
        "region-input",
        Key::FieldRegion,
        Key::FieldRegionHint,
        state.region_error.then_some(Key::RegionInvalid),
        state.region.as_deref().unwrap_or(region_default),
        l,
    );
    h.el(
        "button",
        &[("type", "submit"), ("class", "button button--primary"), ("data-testid", "open-instance")],
        t(l, Key::OpenInstance),
    );
    h.close("form");
    h.open("p", &[("class", "demo-entry")]);
    h.text(t(l, Key::DemoHeading)).text(": ");
    h.el(
        "a",
        &[
            ("href", &instance_href(base, DEMO_REGION, DEMO_INSTANCE, &TaskListQuery::default())),
            ("data-testid", "demo-link"),
        ],
        &tf(l, Key::DemoLink, &[("instance", DEMO_INSTANCE), ("region", DEMO_REGION)]),
    );
    h.close("p").close("section");
    h.finish()
}

/// The region picker: the service's regions (de-duplicated), the current one kept even when
/// the list failed or does not name it.
pub fn region_select_html(regions: &[RdsRegion], current: &str, l: Lang) -> String {
    let mut list: Vec<(&str, &str)> =
        regions.iter().map(|r| (r.region_id.as_str(), r.local_name.as_deref().unwrap_or(""))).collect();
    if !list.iter().any(|(id, _)| *id == current) {
        list.insert(0, (current, ""));
    }
    let mut h = Html::new();
    h.open("label", &[("class", "field-inline")]);
    h.el("span", &[], t(l, Key::BrowseRegion));
    h.open("select", &[("data-testid", "region-select"), ("data-action", "region")]);
    for (id, name) in list {
        let label = if name.is_empty() { id.to_owned() } else { format!("{name} ({id})") };
        h.el("option", &[("value", id), opt("selected", (id == current).then_some(""))], &label);
    }
    h.close("select").close("label");
    h.finish()
}

/// A region's instances as a table (ID linking to its tasks, description, version, status,
/// zone) with previous/next links.
pub fn instances_html(
    base: &str,
    region: &str,
    instances: &[DbInstance],
    total: u64,
    page: u32,
    l: Lang,
) -> String {
    let mut h = Html::new();
    if instances.is_empty() {
        h.el(
            "p",
            &[("class", "state state--empty"), ("data-testid", "instances-empty")],
            t(l, Key::EmptyInstances),
        );
        return h.finish();
    }
    h.open(
        "div",
        &[
            ("class", "table-scroll"),
            ("role", "region"),
            ("aria-labelledby", "instances-caption"),
            ("tabindex", "0"),
        ],
    );
    h.open("table", &[("class", "data-table"), ("data-testid", "instance-table")]);
    h.el(
        "caption",
        &[("id", "instances-caption"), ("class", "visually-hidden")],
        t(l, Key::InstancesCaption),
    );
    h.open("thead", &[]).open("tr", &[]);
    for k in [Key::ColInstance, Key::ColDescription, Key::ColVersion, Key::ColInstanceStatus, Key::ColZone] {
        h.el("th", &[("scope", "col")], t(l, k));
    }
    h.close("tr").close("thead").open("tbody", &[]);
    for d in instances {
        h.open("tr", &[("data-testid", "instance-row"), ("data-instance", &d.db_instance_id)]);
        h.open("th", &[("scope", "row")]);
        h.el(
            "a",
            &[
                ("href", &instance_href(base, region, &d.db_instance_id, &TaskListQuery::default())),
                ("data-testid", "instance-link"),
            ],
            &d.db_instance_id,
        );
        h.close("th");
        let version =
            format!("{} {}", d.engine.as_deref().unwrap_or(""), d.engine_version.as_deref().unwrap_or(""));
        for v in [
            d.db_instance_description.as_deref().unwrap_or(""),
            version.trim(),
            d.db_instance_status.as_deref().unwrap_or(""),
            d.zone_id.as_deref().unwrap_or(""),
        ] {
            h.el("td", &[], v);
        }
        h.close("tr");
    }
    h.close("tbody").close("table").close("div");
    let pages = page_count(total, 100);
    h.open("nav", &[("class", "pager"), ("aria-label", t(l, Key::Pagination))]);
    h.el(
        "p",
        &[("class", "pager__summary"), ("data-testid", "instances-total")],
        &tf(
            l,
            Key::TotalInstances,
            &[("total", &total.to_string()), ("page", &page.to_string()), ("pages", &pages.to_string())],
        ),
    );
    h.open("ul", &[("class", "pager__links")]);
    if page > 1 {
        h.open("li", &[]);
        h.el("a", &[("href", &browse_href(base, region, page - 1)), ("rel", "prev")], t(l, Key::PrevPage));
        h.close("li");
    }
    if u64::from(page) < pages {
        h.open("li", &[]);
        h.el("a", &[("href", &browse_href(base, region, page + 1)), ("rel", "next")], t(l, Key::NextPage));
        h.close("li");
    }
    h.close("ul").close("nav");
    h.finish()
}

/// The instance picker.
pub fn home_page() -> impl IntoView {
    let app = use_app();
    let nav = use_nav();
    let (lang, api) = (app.lang, app.api);
    let base = StoredValue::new(app.base());
    effect(move || {
        let l = lang.get();
        set_title(&format!("{} · {}", t(l, Key::HomeHeading), t(l, Key::AppTitle)));
    });

    let query = Memo::new(move |_| nav.url.with(|u| home_query(&u.query)));
    // The region browsed: the URL's, else the session's.
    let region = Memo::new(move |_| {
        query
            .with(|q| q.0.clone())
            .or_else(|| app.session_data().and_then(|s| s.region))
            .unwrap_or_else(|| DEMO_REGION.to_owned())
    });
    let page = Memo::new(move |_| query.with(|q| q.1));

    let recent = RwSignal::new(load_recent());
    let form = RwSignal::new(FormState::default());
    let recent_html = html_memo(move |l| recent.with(|r| base.with_value(|b| recent_html(b, r, l))));
    // Typing does not re-draw the form: the fields keep what is typed, the state only follows.
    let form_html = html_memo(move |l| {
        let state = form.get();
        base.with_value(|b| form_html(b, &state, &region.get(), l))
    });

    let regions = Loader::new(String::new, move || {
        let api = api.get_value();
        async move { api.regions().await }
    });
    let instances = Loader::new(
        move || region.get(),
        move || {
            let api = api.get_value();
            let (region, page) = (region.get(), page.get());
            async move { api.instances(&region, page).await }
        },
    );
    let status = instances.status;
    let select_html = html_memo(move |l| {
        let list = regions.data.with(|d| d.as_ref().map(|d| d.unique_regions()).unwrap_or_default());
        region_select_html(&list, &region.get(), l)
    });
    let table_html = html_memo(move |l| {
        instances.data.with(|d| match d {
            Some(d) => base.with_value(|b| {
                instances_html(b, &region.get(), d.instances(), d.total_record_count, page.get(), l)
            }),
            None => String::new(),
        })
    });
    let has_data = Memo::new(move |_| instances.data.with(Option::is_some));
    let failed = Memo::new(move |_| !has_data.get() && status.error.with(Option::is_some));
    let browse_body = move || {
        if has_data.get() {
            html_block("", "", table_html).into_any()
        } else {
            pending_view(status, failed.get())
        }
    };

    let on_click = move |ev: leptos::ev::MouseEvent| {
        if let Some((action, _, _)) = action_of(&ev) {
            if action == "recent-clear" {
                clear_recent();
                recent.set(Vec::new());
            }
        }
    };
    let on_input = move |ev: leptos::ev::Event| {
        if let Some((action, _, el)) = action_of(&ev) {
            if action == "field" {
                let value = control_value(&el);
                // Untracked writes: the form is not re-drawn while typing.
                form.update_untracked(|f| match el.id().as_str() {
                    "instance-input" => f.instance = value,
                    _ => f.region = Some(value),
                });
            }
        }
    };
    let on_change = move |ev: leptos::ev::Event| {
        if let Some((action, _, el)) = action_of(&ev) {
            if action == "region" {
                nav.navigate(&base.with_value(|b| browse_href(b, &control_value(&el), 1)));
            }
        }
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        let Some((action, _, el)) = action_of(&ev) else {
            return;
        };
        if action != "open-instance" {
            return;
        }
        ev.prevent_default();
        let fields = form_fields(&el);
        let get =
            |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
        let (inst, reg) = (get("instance-input"), get("region-input"));
        let (ci, cr) = (clean_identifier(&inst), clean_identifier(&reg));
        form.set(FormState {
            instance: inst,
            region: Some(reg),
            instance_error: ci.is_none(),
            region_error: cr.is_none(),
        });
        if let (Some(i), Some(r)) = (ci, cr) {
            nav.navigate(&base.with_value(|b| instance_href(b, &r, &i, &TaskListQuery::default())));
        }
    };

    view! {
        <section
            class="page page--home"
            aria-labelledby="home-heading"
            on:click=on_click
            on:input=on_input
            on:change=on_change
            on:submit=on_submit
        >
            <h1 id="home-heading">{crate::context::tr(Key::HomeHeading)}</h1>
            <p class="lead">{crate::context::tr(Key::HomeIntro)}</p>
            <div class="home-grid">
                {html_block("", "", recent_html)}
                {html_block("", "", form_html)}
            </div>
            <section
                class="panel panel--wide"
                aria-labelledby="browse-heading"
                data-testid="browse"
                aria-busy=flag(move || status.busy.get())
            >
                <h2 id="browse-heading">{crate::context::tr(Key::BrowseHeading)}</h2>
                {html_block("", "", select_html)}
                {browse_body}
            </section>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picker_html() {
        assert_eq!(home_query("region=cn-shanghai&page=2"), (Some("cn-shanghai".into()), 2));
        assert_eq!(home_query("region=%3Cx%3E"), (None, 1));
        assert_eq!(browse_href("/m", "ap-southeast-5", 1), "/m/?region=ap-southeast-5");
        let recent = recent_html("", &[("cn-hangzhou".into(), "pgm-a".into())], Lang::En);
        assert!(recent.contains(r#"href="/regions/cn-hangzhou/instances/pgm-a""#));
        assert!(recent_html("", &[], Lang::En).is_empty());
        let state = FormState { instance_error: true, instance: "a/b".into(), ..FormState::default() };
        let form = form_html("", &state, "cn-hangzhou", Lang::Id);
        assert!(form.contains(r#"aria-invalid="true" value="a/b""#), "{form}");
        assert!(form.contains(r#"value="cn-hangzhou""#));
        assert!(form.contains("Masukkan ID instans"));
        let regions = vec![RdsRegion {
            region_id: "cn-hangzhou".into(),
            local_name: Some("China (Hangzhou)".into()),
            ..RdsRegion::default()
        }];
        let select = region_select_html(&regions, "ap-southeast-5", Lang::En);
        assert!(select.contains(r#"<option value="ap-southeast-5" selected="">ap-southeast-5</option><option value="cn-hangzhou">China (Hangzhou) (cn-hangzhou)</option>"#), "{select}");
        let d = DbInstance {
            db_instance_id: "pgm-a".into(),
            engine: Some("PostgreSQL".into()),
            engine_version: Some("14.0".into()),
            ..DbInstance::default()
        };
        let table = instances_html("", "cn-hangzhou", &[d], 150, 1, Lang::En);
        assert!(table.contains("PostgreSQL 14.0"));
        assert!(table.contains(r#"href="/?region=cn-hangzhou&amp;page=2" rel="next""#), "{table}");
        assert!(instances_html("", "r", &[], 0, 1, Lang::En).contains("instances-empty"));
    }
}
