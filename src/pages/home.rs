//! `/`: the instance picker. An instance ID and a region (defaulting to the session's region)
//! lead to the task table; a link opens the demo instance.

use crate::context::{text, tr, use_app};
use crate::i18n::{t, tf, Key};
use crate::prefs::set_title;
use crate::routes::{clean_identifier, instance_href, TaskListQuery};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

/// The simulator's demo instance (DESIGN.md).
pub const DEMO_INSTANCE: &str = "pgm-bp102g323jd4demo";
/// The demo instance's region.
pub const DEMO_REGION: &str = "cn-hangzhou";

/// The instance picker.
#[component]
pub fn HomePage() -> impl IntoView {
    let app = use_app();
    let lang = app.lang;
    let base = app.base();
    Effect::new(move |_| {
        let l = lang.get();
        set_title(&format!(
            "{} · {}",
            t(l, Key::HomeHeading),
            t(l, Key::AppTitle)
        ));
    });

    let instance = RwSignal::new(String::new());
    // `None` until the user edits the field: until then it shows the session's region.
    let region_edit = RwSignal::new(None::<String>);
    let region = Signal::derive(move || {
        region_edit.get().unwrap_or_else(|| {
            app.session_data()
                .and_then(|s| s.region)
                .unwrap_or_default()
        })
    });
    let instance_error = RwSignal::new(false);
    let region_error = RwSignal::new(false);

    let navigate = use_navigate();
    let submit_base = base.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let inst = clean_identifier(&instance.get_untracked());
        let reg = clean_identifier(&region.get_untracked());
        instance_error.set(inst.is_none());
        region_error.set(reg.is_none());
        if let (Some(inst), Some(reg)) = (inst, reg) {
            let href = instance_href(&submit_base, &reg, &inst, &TaskListQuery::default());
            navigate(
                &href,
                NavigateOptions {
                    resolve: false,
                    ..Default::default()
                },
            );
        }
    };

    let demo_href = instance_href(&base, DEMO_REGION, DEMO_INSTANCE, &TaskListQuery::default());
    let demo_text = text(move |l| {
        tf(
            l,
            Key::DemoLink,
            &[("instance", DEMO_INSTANCE), ("region", DEMO_REGION)],
        )
    });

    view! {
        <section class="page page--home" aria-labelledby="home-heading">
            <h1 id="home-heading">{tr(Key::HomeHeading)}</h1>
            <p class="lead">{tr(Key::HomeIntro)}</p>
            <form class="picker" data-testid="instance-form" on:submit=on_submit novalidate>
                <div class="field">
                    <label for="instance-input">{tr(Key::FieldInstance)}</label>
                    <input
                        id="instance-input"
                        name="instance"
                        type="text"
                        autocomplete="off"
                        spellcheck="false"
                        autocapitalize="off"
                        required
                        data-testid="instance-input"
                        aria-describedby="instance-hint instance-error"
                        aria-invalid=move || instance_error.get().to_string()
                        prop:value=move || instance.get()
                        on:input:target=move |ev| {
                            instance.set(ev.target().value());
                            instance_error.set(false);
                        }
                    />
                    <p id="instance-hint" class="hint">{tr(Key::FieldInstanceHint)}</p>
                    <p id="instance-error" class="field-error" data-testid="instance-error" aria-live="polite">
                        {move || instance_error.get().then(|| t(lang.get(), Key::InstanceInvalid))}
                    </p>
                </div>
                <div class="field">
                    <label for="region-input">{tr(Key::FieldRegion)}</label>
                    <input
                        id="region-input"
                        name="region"
                        type="text"
                        autocomplete="off"
                        spellcheck="false"
                        autocapitalize="off"
                        required
                        data-testid="region-input"
                        aria-describedby="region-hint region-error"
                        aria-invalid=move || region_error.get().to_string()
                        prop:value=move || region.get()
                        on:input:target=move |ev| {
                            region_edit.set(Some(ev.target().value()));
                            region_error.set(false);
                        }
                    />
                    <p id="region-hint" class="hint">{tr(Key::FieldRegionHint)}</p>
                    <p id="region-error" class="field-error" data-testid="region-error" aria-live="polite">
                        {move || region_error.get().then(|| t(lang.get(), Key::RegionInvalid))}
                    </p>
                </div>
                <button type="submit" class="button button--primary" data-testid="open-instance">
                    {tr(Key::OpenInstance)}
                </button>
            </form>
            <section class="demo-entry" aria-labelledby="demo-heading">
                <h2 id="demo-heading">{tr(Key::DemoHeading)}</h2>
                <p>
                    <a href=demo_href data-testid="demo-link">{demo_text}</a>
                </p>
            </section>
        </section>
    }
}
