//! `/watch`: the instances the proxy watches (and so keeps history for), why each is watched
//! (a rule, or who added or opened it), and each one's last poll with data. Members of the
//! admin group can add and remove watches here; everyone else sees the list.

use crate::api::ApiError;
use crate::app::{title, tr, use_app};
use crate::clock::local_text;
use crate::i18n::{t, tf, Key, Lang};
use crate::url::{clean_identifier, instance_href, TaskListQuery};
use leptos::prelude::*;
use leptos::task::spawn_local;
use migration_model::history::{WatchEntry, WatchSource};

/// Why an instance is watched, in words.
pub fn why_text(w: &WatchEntry, l: Lang) -> String {
    let who = w.added_by.clone().unwrap_or_else(|| t(l, Key::WatchSomeone).to_owned());
    match w.source {
        WatchSource::Config => t(l, Key::WatchSourceConfig).to_owned(),
        WatchSource::Demo => t(l, Key::WatchSourceDemo).to_owned(),
        WatchSource::Admin => tf(l, Key::WatchSourceAdmin, &[("who", &who)]),
        WatchSource::Auto => tf(l, Key::WatchSourceAuto, &[("who", &who)]),
    }
}

/// The watch page.
#[component]
pub fn WatchPage() -> impl IntoView {
    let app = use_app();
    title(|l| t(l, Key::WatchHeading).to_owned());
    let api = app.api;
    let data = LocalResource::new(move || {
        let api = api.get_value();
        async move {
            // Asked only once the session says this proxy keeps history.
            if !app.history_kept().await {
                return Err(ApiError::history_off());
            }
            api.watch_list().await
        }
    });
    let failure = RwSignal::new(None::<String>);
    let change = move |add: bool, region: String, instance: String| {
        let api = api.get_value();
        spawn_local(async move {
            let r = if add {
                api.add_watch(&region, &instance).await
            } else {
                api.remove_watch(&region, &instance).await
            };
            failure.set(r.err().map(|e| describe(&e)));
            data.refetch();
        });
    };
    let lang = app.lang;
    let body = move || {
        data.get().map(|answer| match answer {
            Err(e) => {
                let (key, testid) = match e.code() {
                    Some("Proxy.HistoryNotConfigured") => (Some(Key::HistoryNotConfigured), "history-off"),
                    Some("Proxy.HistoryUnavailable") => (Some(Key::HistoryUnavailable), "history-unavailable"),
                    _ => (None, "history-error"),
                };
                let detail = e.to_string();
                let text = move || match key {
                    Some(k) => t(lang.get(), k).to_owned(),
                    None => tf(lang.get(), Key::HistoryError, &[("error", &detail)]),
                };
                view! { <p class="state state--empty" data-testid=testid>{text}</p> }.into_any()
            }
            Ok(f) => {
                let can_edit = f.data.can_edit;
                view! {
                    <WatchTable watches=f.data.watches can_edit on_remove=move |r, i| change(false, r, i)/>
                    {if can_edit {
                        view! { <AddWatch on_add=move |r, i| change(true, r, i)/> }.into_any()
                    } else {
                        view! { <p class="hint" data-testid="watch-read-only">{tr(Key::WatchReadOnly)}</p> }.into_any()
                    }}
                }
                .into_any()
            }
        })
    };
    view! {
        <section class="page page--watch" aria-labelledby="watch-heading" data-testid="watch-page">
            <h1 id="watch-heading">{tr(Key::WatchHeading)}</h1>
            <p class="lead">{tr(Key::WatchIntro)}</p>
            {move || failure.get().map(|f| {
                let text = move || tf(lang.get(), Key::WatchChangeFailed, &[("error", &f)]);
                view! { <p class="state state--error" role="alert" data-testid="watch-failed">{text}</p> }
            })}
            {body}
        </section>
    }
}

fn describe(e: &ApiError) -> String {
    match e {
        ApiError::Api { body, .. } if !body.message.is_empty() => body.message.clone(),
        other => other.to_string(),
    }
}

#[component]
fn WatchTable(
    watches: Vec<WatchEntry>,
    can_edit: bool,
    on_remove: impl Fn(String, String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let app = use_app();
    let lang = app.lang;
    if watches.is_empty() {
        return view! { <p class="state state--empty" data-testid="watch-empty">{tr(Key::WatchEmpty)}</p> }
            .into_any();
    }
    let base = app.base();
    let rows = watches
        .into_iter()
        .map(|w| {
            let href = instance_href(&base, &w.region_id, &w.db_instance_name, &TaskListQuery::default());
            let why = {
                let w = w.clone();
                move || why_text(&w, lang.get())
            };
            let last = w.last_poll.as_ref().filter(|p| p.ok).map(|p| p.at).or(w.last_data_at);
            let last = move || last.map_or_else(|| t(lang.get(), Key::WatchNever).to_owned(), |s| local_text(s * 1000));
            let remove = can_edit.then(|| {
                let (r, i) = (w.region_id.clone(), w.db_instance_name.clone());
                view! {
                    <button type="button" class="button button--quiet" data-testid="watch-remove" on:click=move |_| on_remove(r.clone(), i.clone())>
                        {tr(Key::WatchRemove)}
                    </button>
                }
            });
            view! {
                <tr data-testid="watch-row" data-instance=w.db_instance_name.clone() data-source=w.source.as_str()>
                    <th scope="row"><a href=href>{w.db_instance_name.clone()}</a></th>
                    <td>{w.region_id.clone()}</td>
                    <td data-testid="watch-why">{why}</td>
                    <td class="time">{local_text(w.added_at * 1000)}</td>
                    <td class="time" data-testid="watch-last">{last}</td>
                    <td>{remove}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll" role="region" aria-labelledby="watch-caption" tabindex="0">
            <table class="data-table" data-testid="watch-table">
                <caption id="watch-caption" class="visually-hidden">{tr(Key::WatchCaption)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{tr(Key::WatchColInstance)}</th>
                        <th scope="col">{tr(Key::WatchColRegion)}</th>
                        <th scope="col">{tr(Key::WatchColWhy)}</th>
                        <th scope="col">{tr(Key::WatchColAdded)}</th>
                        <th scope="col">{tr(Key::WatchColLastData)}</th>
                        <th scope="col">{tr(Key::WatchColActions)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn AddWatch(on_add: impl Fn(String, String) + Copy + Send + Sync + 'static) -> impl IntoView {
    let region = RwSignal::new(String::new());
    let instance = RwSignal::new(String::new());
    let bad = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match (clean_identifier(&region.get_untracked()), clean_identifier(&instance.get_untracked())) {
            (Some(r), Some(i)) => {
                bad.set(false);
                on_add(r, i);
            }
            _ => bad.set(true),
        }
    };
    view! {
        <form class="watch-add" data-testid="watch-add" on:submit=submit>
            <h2>{tr(Key::WatchAddHeading)}</h2>
            <label class="field">
                <span>{tr(Key::WatchRegionLabel)}</span>
                <input type="text" data-testid="watch-region" prop:value=region on:input:target=move |ev| region.set(ev.target().value())/>
            </label>
            <label class="field">
                <span>{tr(Key::WatchInstanceLabel)}</span>
                <input type="text" data-testid="watch-instance" prop:value=instance on:input:target=move |ev| instance.set(ev.target().value())/>
            </label>
            <button type="submit" class="button" data-testid="watch-submit">{tr(Key::WatchAdd)}</button>
            <Show when=move || bad.get()>
                <p class="state state--error" role="alert">{tr(Key::WatchBadInput)}</p>
            </Show>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn why_names_the_rule_or_the_person() {
        let mut w = WatchEntry {
            region_id: "cn-hangzhou".into(),
            db_instance_name: "pgm-x".into(),
            source: WatchSource::Admin,
            added_by: Some("alice".into()),
            added_at: 0,
            last_viewed_at: None,
            last_poll: None,
            last_data_at: None,
        };
        assert_eq!(why_text(&w, Lang::En), "added by alice");
        w.source = WatchSource::Auto;
        w.added_by = None;
        assert_eq!(why_text(&w, Lang::Id), "dibuka oleh seseorang");
        w.source = WatchSource::Config;
        assert_eq!(why_text(&w, Lang::En), "configured (--watch)");
    }
}
