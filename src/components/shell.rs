//! The page frame: header (title, navigation, language and theme), demo banner, footer.

use crate::clock::local_offset_minutes;
use crate::components::cells::{html_block, html_memo};
use crate::context::{derive, text, tr, use_app};
use crate::display::offset_text;
use crate::html::{opt, Html};
use crate::i18n::{language_name, t, tf, Key, Lang};
use crate::prefs::focus_by_id;
use crate::routes::home_href;
use crate::theme::ThemePref;
use leptos::prelude::*;

/// The id of `<main>`, the skip link's target.
pub const MAIN_ID: &str = "main";

/// The language picker's options, the current one selected.
fn language_options(current: Lang) -> String {
    let mut h = Html::new();
    for l in Lang::ALL {
        h.el(
            "option",
            &[("value", l.as_str()), ("lang", l.as_str()), opt("selected", (l == current).then_some(""))],
            language_name(l),
        );
    }
    h.finish()
}

/// The top bar. Changing the language or theme goes through the callbacks (the app remembers
/// the choice).
pub fn header(
    base: &str,
    on_lang: Callback<Lang>,
    on_theme: Callback<ThemePref>,
    user: Signal<Option<String>>,
) -> impl IntoView {
    let app = use_app();
    let (lang, theme) = (app.lang, app.theme);
    let home = home_href(base);
    let brand = html_memo(move |l| {
        let mut h = Html::new();
        h.el(
            "a",
            &[("class", "app-header__brand"), ("href", &home), ("data-testid", "home-link")],
            t(l, Key::AppTitle),
        );
        h.open("nav", &[("class", "app-header__nav"), ("aria-label", t(l, Key::MainNav))]);
        h.el("a", &[("href", &home)], t(l, Key::NavHome));
        h.close("nav");
        if let Some(u) = user.get() {
            h.el(
                "span",
                &[("class", "app-header__user"), ("data-testid", "session-user")],
                &tf(l, Key::SignedInAs, &[("user", &u)]),
            );
        }
        h.finish()
    });
    let skip = move |ev: leptos::ev::MouseEvent| {
        // Handled here so the router does not treat `#main` as a navigation.
        ev.prevent_default();
        focus_by_id(MAIN_ID);
    };
    let theme_text = text(move |l| tf(l, Key::ThemeToggle, &[("theme", t(l, theme.get().label_key()))]));
    view! {
        <header class="app-header">
            <a class="skip-link" href="#main" on:click=skip>{tr(Key::SkipToContent)}</a>
            <div class="app-header__bar">
                {html_block("app-header__start", "", brand)}
                <div class="app-header__prefs">
                    <label class="field-inline">
                        <span>{tr(Key::LanguageLabel)}</span>
                        <select
                            data-testid="lang-select"
                            inner_html=derive(move || language_options(lang.get()))
                            on:change:target=move |ev| {
                                if let Some(l) = Lang::from_tag(&ev.target().value()) {
                                    on_lang.run(l);
                                }
                            }
                        ></select>
                    </label>
                    <button
                        type="button"
                        class="button button--quiet"
                        data-testid="theme-toggle"
                        data-theme-pref=derive(move || theme.get().as_str().to_owned())
                        title=tr(Key::ThemeToggleHint)
                        on:click=move |_| on_theme.run(theme.get_untracked().next())
                    >
                        {theme_text}
                    </button>
                </div>
            </div>
        </header>
    }
}

/// "Demo data" on every page while the proxy serves the simulator; the session error when the
/// session could not be loaded.
pub fn banners(demo: Signal<bool>, session_failed: Signal<bool>) -> impl IntoView {
    let html = html_memo(move |l| {
        let mut h = Html::new();
        if demo.get() {
            h.el(
                "div",
                &[("class", "demo-banner"), ("role", "note"), ("data-testid", "demo-banner")],
                t(l, Key::DemoBanner),
            );
        }
        if session_failed.get() {
            h.el(
                "p",
                &[("class", "notice notice--warning"), ("role", "status"), ("data-testid", "session-error")],
                t(l, Key::SessionError),
            );
        }
        h.finish()
    });
    html_block("banners", "", html)
}

/// The footer: the viewer's time zone and the proxy's version when known.
pub fn footer(version: Signal<Option<String>>) -> impl IntoView {
    let html = html_memo(move |l| {
        let mut h = Html::new();
        h.el(
            "span",
            &[("data-testid", "time-zone-note")],
            &tf(l, Key::FooterTimeZone, &[("zone", &offset_text(local_offset_minutes()))]),
        );
        if let Some(v) = version.get() {
            h.el("span", &[("data-testid", "proxy-version")], &tf(l, Key::FooterVersion, &[("version", &v)]));
        }
        h.finish()
    });
    view! { <footer>{html_block("app-footer", "", html)}</footer> }
}
