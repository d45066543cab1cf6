//! The page frame: header (title, navigation, language and theme), demo banner, footer.

use crate::context::{text, tr, use_app};
use crate::i18n::{language_name, t, tf, Key, Lang};
use crate::prefs::focus_by_id;
use crate::routes::home_href;
use crate::theme::ThemePref;
use leptos::prelude::*;

/// The id of `<main>`, the skip link's target.
pub const MAIN_ID: &str = "main";

/// The top bar. Changing the language or theme goes through the callbacks (the app remembers
/// the choice).
#[component]
pub fn Header(
    /// The base path, for the home link.
    base: String,
    /// Called with the language the user picked.
    on_lang: Callback<Lang>,
    /// Called with the theme the user picked.
    on_theme: Callback<ThemePref>,
    /// The signed-in user, if known.
    #[prop(into)]
    user: Signal<Option<String>>,
) -> impl IntoView {
    let app = use_app();
    let lang = app.lang;
    let theme = app.theme;
    let home = home_href(&base);
    let home2 = home.clone();

    let skip = move |ev: leptos::ev::MouseEvent| {
        // Handled here so the router does not treat `#main` as a navigation.
        ev.prevent_default();
        focus_by_id(MAIN_ID);
    };

    let theme_text = text(move |l| {
        let name = t(l, theme.get().label_key());
        tf(l, Key::ThemeToggle, &[("theme", name)])
    });

    view! {
        <header class="app-header">
            <a class="skip-link" href=format!("#{MAIN_ID}") on:click=skip>
                {tr(Key::SkipToContent)}
            </a>
            <div class="app-header__bar">
                <a class="app-header__brand" href=home data-testid="home-link">
                    {tr(Key::AppTitle)}
                </a>
                <nav class="app-header__nav" aria-label=tr(Key::MainNav)>
                    <a href=home2>{tr(Key::NavHome)}</a>
                </nav>
                <div class="app-header__prefs">
                    {move || {
                        user.get()
                            .map(|u| {
                                view! {
                                    <span class="app-header__user" data-testid="session-user">
                                        {text(move |l| tf(l, Key::SignedInAs, &[("user", &u)]))}
                                    </span>
                                }
                            })
                    }}
                    <label class="field-inline">
                        <span>{tr(Key::LanguageLabel)}</span>
                        <select
                            data-testid="lang-select"
                            on:change:target=move |ev| {
                                if let Some(l) = Lang::from_tag(&ev.target().value()) {
                                    on_lang.run(l);
                                }
                            }
                        >
                            {Lang::ALL
                                .into_iter()
                                .map(|l| {
                                    view! {
                                        <option
                                            value=l.as_str()
                                            lang=l.as_str()
                                            prop:selected=move || lang.get() == l
                                        >
                                            {language_name(l)}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    </label>
                    <button
                        type="button"
                        class="button button--quiet"
                        data-testid="theme-toggle"
                        data-theme-pref=move || theme.get().as_str()
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

/// "Demo data" on every page while the proxy serves the simulator.
#[component]
pub fn DemoBanner(
    /// Whether the session says `mode: demo`.
    #[prop(into)]
    demo: Signal<bool>,
) -> impl IntoView {
    view! {
        <Show when=move || demo.get()>
            <div class="demo-banner" role="note" data-testid="demo-banner">
                {tr(Key::DemoBanner)}
            </div>
        </Show>
    }
}

/// The footer: the proxy's version when known.
#[component]
pub fn Footer(
    /// The proxy's version.
    #[prop(into)]
    version: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <footer class="app-footer">
            {move || {
                version
                    .get()
                    .map(|v| {
                        view! {
                            <span data-testid="proxy-version">
                                {text(move |l| tf(l, Key::FooterVersion, &[("version", &v)]))}
                            </span>
                        }
                    })
            }}
        </footer>
    }
}
