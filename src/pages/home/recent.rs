//! The instances opened recently, with a button that forgets them.

use crate::app::{tr, use_app};
use crate::i18n::Key;
use crate::prefs::{clear_recent, load_recent};
use crate::url::{instance_href, TaskListQuery};
use leptos::prelude::*;

/// The recent list (nothing when it is empty).
#[component]
pub fn Recent() -> impl IntoView {
    let base = use_app().base();
    let recent = RwSignal::new(load_recent());
    let links = move || {
        recent
            .get()
            .into_iter()
            .map(|(r, i)| {
                let href = instance_href(&base, &r, &i, &TaskListQuery::default());
                view! {
                    <li>
                        <a href=href data-testid="recent-link">{i}</a>
                        " "
                        <span class="muted">{r}</span>
                    </li>
                }
            })
            .collect_view()
    };
    let clear = move |_| {
        clear_recent();
        recent.set(Vec::new());
    };
    view! {
        <Show when=move || recent.with(|r| !r.is_empty())>
            <section class="panel" aria-labelledby="recent-heading" data-testid="recent">
                <h2 id="recent-heading">{tr(Key::RecentHeading)}</h2>
                <ul class="link-list">{links.clone()}</ul>
                <button type="button" class="button button--quiet button--small" data-testid="recent-clear" on:click=clear>
                    {tr(Key::RecentClear)}
                </button>
            </section>
        </Show>
    }
}
