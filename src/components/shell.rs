//! The page frame: header (title, navigation, language and theme), banners, footer.

use crate::app::{tr, use_app};
use crate::clock::offset_minutes_at;
use crate::i18n::{language_name, t, tf, Key, Lang};
use crate::prefs;
use crate::url::home_href;
use leptos::prelude::*;
use leptos_router::components::A;

/// The id of `<main>`, the skip link's target.
pub const MAIN_ID: &str = "main";

/// The top bar. Language and theme choices are remembered.
#[component]
pub fn Header() -> impl IntoView {
    let app = use_app();
    let (lang, theme) = (app.lang, app.theme);
    let home = home_href(&app.base());
    let user = move || {
        app.session_data().and_then(|s| s.user).map(|u| {
            view! {
                <span class="app-header__user" data-testid="session-user">
                    {move || tf(lang.get(), Key::SignedInAs, &[("user", &u)])}
                </span>
            }
        })
    };
    let skip = move |ev: leptos::ev::MouseEvent| {
        // Handled here so the router does not treat `#main` as a navigation.
        ev.prevent_default();
        prefs::focus_by_id(MAIN_ID);
    };
    let options = Lang::ALL
        .into_iter()
        .map(|l| {
            view! {
                <option value=l.as_str() lang=l.as_str() selected=move || lang.get() == l>
                    {language_name(l)}
                </option>
            }
        })
        .collect_view();
    let choose = move |tag: String| {
        if let Some(l) = Lang::from_tag(&tag) {
            prefs::remember_lang(l);
            lang.set(l);
        }
    };
    let on_theme = move |_| {
        let next = theme.get_untracked().next();
        prefs::remember_theme(next);
        theme.set(next);
    };
    view! {
        <header class="app-header">
            <a class="skip-link" href="#main" on:click=skip>{tr(Key::SkipToContent)}</a>
            <div class="app-header__bar">
                <div class="app-header__start">
                    <a class="app-header__brand" href=home.clone() data-testid="home-link">{tr(Key::AppTitle)}</a>
                    <nav class="app-header__nav" aria-label=tr(Key::MainNav)>
                        <A href=home exact=true>{tr(Key::NavHome)}</A>
                        <A href=format!("{}/watch", app.base()) attr:data-testid="nav-watch">{tr(Key::NavWatch)}</A>
                        <A href=format!("{}/alerts", app.base()) attr:data-testid="nav-alerts">{tr(Key::NavAlerts)}</A>
                    </nav>
                    {user}
                </div>
                <div class="app-header__prefs">
                    <label class="field-inline">
                        <span>{tr(Key::LanguageLabel)}</span>
                        <select data-testid="lang-select" on:change:target=move |ev| choose(ev.target().value())>{options}</select>
                    </label>
                    <button
                        type="button"
                        class="button button--quiet"
                        data-testid="theme-toggle"
                        data-theme-pref=move || theme.get().as_str()
                        title=tr(Key::ThemeToggleHint)
                        on:click=on_theme
                    >
                        {move || {
                            let l = lang.get();
                            tf(l, Key::ThemeToggle, &[("theme", t(l, theme.get().label_key()))])
                        }}
                    </button>
                </div>
            </div>
        </header>
    }
}

/// "Demo data" on every page while the proxy serves the simulator; a notice when the session
/// could not be loaded.
#[component]
pub fn Banners() -> impl IntoView {
    let app = use_app();
    let demo = move || app.session_data().is_some_and(|s| s.is_demo());
    let failed = move || matches!(app.session.get(), Some(None));
    view! {
        <div class="banners">
            <Show when=demo>
                <div class="demo-banner" role="note" data-testid="demo-banner">{tr(Key::DemoBanner)}</div>
            </Show>
            <Show when=failed>
                <p class="notice notice--warning" role="status" data-testid="session-error">
                    {tr(Key::SessionError)}
                </p>
            </Show>
        </div>
    }
}

/// The footer: the viewer's time zone and the proxy's version when known.
#[component]
pub fn Footer() -> impl IntoView {
    let app = use_app();
    let lang = app.lang;
    let zone = move || {
        let offset = offset_minutes_at(app.now.get());
        tf(lang.get(), Key::FooterTimeZone, &[("zone", &migration_model::format::utc_offset(offset))])
    };
    let version = move || {
        app.session_data().and_then(|s| s.version).map(|v| {
            view! {
                <span data-testid="proxy-version">{move || tf(lang.get(), Key::FooterVersion, &[("version", &v)])}</span>
            }
        })
    };
    view! {
        <footer>
            <div class="app-footer">
                <span data-testid="time-zone-note">{zone}</span>
                {version}
            </div>
        </footer>
    }
}
