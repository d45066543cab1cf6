//! The region picker and a region's PostgreSQL instances (ID linking to its tasks, description,
//! version, status, zone) with previous/next links.

use crate::app::{tr, use_app};
use crate::components::status::Loaded;
use crate::i18n::{tf, Key};
use crate::pages::go_options;
use crate::resource::KeptResource;
use crate::url::{browse_href, instance_href, page_count, TaskListQuery};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use migration_model::{format, DbInstance};

/// The "by region" panel.
#[component]
pub fn Browse(region: Memo<String>, page: Memo<u32>) -> impl IntoView {
    let app = use_app();
    let (api, base) = (app.api, app.base());
    let navigate = use_navigate();
    let regions = LocalResource::new(move || {
        let api = api.get_value();
        async move { api.regions().await.map(|f| f.data.unique_regions()).unwrap_or_default() }
    });
    // The service's regions; the current one kept even when the list failed or does not name it.
    let options = move || {
        let current = region.get();
        let mut list: Vec<(String, String)> = regions
            .get()
            .unwrap_or_default()
            .into_iter()
            .map(|r| {
                let label = match r.local_name.as_deref() {
                    Some(name) if !name.is_empty() => format!("{name} ({})", r.region_id),
                    _ => r.region_id.clone(),
                };
                (r.region_id, label)
            })
            .collect();
        if !list.iter().any(|(id, _)| *id == current) {
            list.insert(0, (current.clone(), current.clone()));
        }
        list.into_iter()
            .map(|(id, label)| view! { <option value=id.clone() selected=id == current>{label}</option> })
            .collect_view()
    };
    let choose = move |r: String| navigate(&browse_href(&base, &r, 1), go_options(false));
    let list = move || {
        let region = region.get();
        view! { <Instances region page/> }
    };
    view! {
        <section class="panel panel--wide" aria-labelledby="browse-heading" data-testid="browse">
            <h2 id="browse-heading">{tr(Key::BrowseHeading)}</h2>
            <label class="field-inline">
                <span>{tr(Key::BrowseRegion)}</span>
                <select data-testid="region-select" on:change:target=move |ev| choose(ev.target().value())>
                    <Transition fallback=|| ()>{options}</Transition>
                </select>
            </label>
            {list}
        </section>
    }
}

/// One region's instances (a new view, and new data, per region).
#[component]
fn Instances(region: String, page: Memo<u32>) -> impl IntoView {
    let app = use_app();
    let (api, base, lang) = (app.api, app.base(), app.lang);
    let kept = {
        let region = region.clone();
        KeptResource::new(move || {
            let (api, region, page) = (api.get_value(), region.clone(), page.get());
            async move { api.instances(&region, page).await }
        })
    };
    let rows = Memo::new(move |_| {
        kept.data.with(|d| d.as_ref().map(|d| d.instances().to_vec()).unwrap_or_default())
    });
    let total = Memo::new(move |_| kept.data.with(|d| d.as_ref().map_or(0, |d| d.total_record_count)));
    let pages = Memo::new(move |_| page_count(total.get(), 100));
    let region = StoredValue::new(region);
    let base = StoredValue::new(base);
    let row = move |d: DbInstance| {
        let href = instance_href(
            &base.get_value(),
            &region.get_value(),
            &d.db_instance_id,
            &TaskListQuery::default(),
        );
        let version =
            format!("{} {}", d.engine.as_deref().unwrap_or(""), d.engine_version.as_deref().unwrap_or(""));
        view! {
            <tr data-testid="instance-row" data-instance=d.db_instance_id.clone()>
                <th scope="row"><a href=href data-testid="instance-link">{d.db_instance_id.clone()}</a></th>
                <td>{d.db_instance_description.clone()}</td>
                <td>{version.trim().to_owned()}</td>
                <td>{d.db_instance_status.clone()}</td>
                <td>{d.zone_id.clone()}</td>
            </tr>
        }
    };
    let summary = move || {
        let l = lang.get();
        tf(
            l,
            Key::TotalInstances,
            &[
                (
                    "instances",
                    &crate::verdicts::counted(l, total.get() as usize, Key::InstanceOne, Key::InstanceOther),
                ),
                ("page", &format::number(page.get().into(), l)),
                ("pages", &format::number(pages.get().into(), l)),
            ],
        )
    };
    view! {
        <div aria-busy=move || kept.status.busy.get().to_string()>
            <Loaded kept>
                <Show
                    when=move || rows.with(|r| !r.is_empty())
                    fallback=|| view! { <p class="state state--empty" data-testid="instances-empty">{tr(Key::EmptyInstances)}</p> }
                >
                    <div class="table-scroll" role="region" aria-labelledby="instances-caption" tabindex="0">
                        <table class="data-table" data-testid="instance-table">
                            <caption id="instances-caption" class="visually-hidden">{tr(Key::InstancesCaption)}</caption>
                            <thead>
                                <tr>
                                    <th scope="col">{tr(Key::ColInstance)}</th>
                                    <th scope="col">{tr(Key::ColDescription)}</th>
                                    <th scope="col">{tr(Key::ColVersion)}</th>
                                    <th scope="col">{tr(Key::ColInstanceStatus)}</th>
                                    <th scope="col">{tr(Key::ColZone)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                <For each=move || rows.get() key=|d| d.db_instance_id.clone() children=row/>
                            </tbody>
                        </table>
                    </div>
                    <nav class="pager" aria-label=tr(Key::Pagination)>
                        <p class="pager__summary" data-testid="instances-total">{summary}</p>
                        <ul class="pager__links">
                            <Show when=move || { page.get() > 1 }>
                                <li><a href=move || browse_href(&base.get_value(), &region.get_value(), page.get() - 1) rel="prev">{tr(Key::PrevPage)}</a></li>
                            </Show>
                            <Show when=move || { u64::from(page.get()) < pages.get() }>
                                <li><a href=move || browse_href(&base.get_value(), &region.get_value(), page.get() + 1) rel="next">{tr(Key::NextPage)}</a></li>
                            </Show>
                        </ul>
                    </nav>
                </Show>
            </Loaded>
        </div>
    }
}
