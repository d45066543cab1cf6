//! `/?region&page`: the instance picker. The instances opened recently (localStorage), a form to
//! type or paste an instance ID, and a region's RDS for PostgreSQL instances to pick from
//! (DescribeRegions, DescribeDBInstances). When the proxy watches instances, the attention view
//! (firing alerts, every watched instance at a glance) comes first.

mod attention;
mod instance_form;
mod instance_list;
mod recent;

use crate::app::{title, tr, use_app};
use crate::i18n::{t, Key};
use crate::url::{clean_identifier, page_param};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use migration_model::contract::DEMO_REGION;

/// The instance picker.
#[component]
pub fn HomePage() -> impl IntoView {
    let app = use_app();
    title(|l| t(l, Key::HomeHeading).to_owned());
    let query = use_query_map();
    // The region browsed: the URL's, else the session's, else the demo instance's.
    let region = Memo::new(move |_| {
        query
            .with(|q| q.get("region").and_then(|r| clean_identifier(&r)))
            .or_else(|| app.session_data().and_then(|s| s.region))
            .unwrap_or_else(|| DEMO_REGION.to_owned())
    });
    let page = Memo::new(move |_| query.with(|q| page_param(q.get("page"))));
    view! {
        <section class="page page--home" aria-labelledby="home-heading">
            <h1 id="home-heading">{tr(Key::HomeHeading)}</h1>
            <p class="lead">{tr(Key::HomeIntro)}</p>
            <attention::Attention/>
            <div class="home-grid">
                <recent::Recent/>
                <instance_form::InstanceForm region/>
            </div>
            <instance_list::Browse region page/>
        </section>
    }
}
