//! The form that opens an instance by its ID (and region), checked before it becomes a URL, and
//! the demo instance's link.

use crate::app::{tr, use_app};
use crate::i18n::{tf, Key};
use crate::pages::go_options;
use crate::url::{clean_identifier, instance_href, TaskListQuery};
use leptos::html::Input;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use migration_model::contract::{DEMO_INSTANCE, DEMO_REGION};

#[component]
fn Field(
    id: &'static str,
    label: Key,
    hint: Key,
    error: Key,
    invalid: RwSignal<bool>,
    node: NodeRef<Input>,
    #[prop(into)] value: Signal<String>,
) -> impl IntoView {
    let (hint_id, error_id) = (format!("{id}-hint"), format!("{id}-error"));
    view! {
        <div class="field">
            <label for=id>{tr(label)}</label>
            <input
                node_ref=node
                id=id
                name=id
                type="text"
                autocomplete="off"
                spellcheck="false"
                autocapitalize="off"
                required
                data-testid=id
                aria-describedby=format!("{hint_id} {error_id}")
                aria-invalid=move || invalid.get().to_string()
                prop:value=value
            />
            <p id=hint_id class="hint">{tr(hint)}</p>
            <p id=error_id.clone() class="field-error" data-testid=error_id aria-live="polite">
                {move || invalid.get().then(tr(error))}
            </p>
        </div>
    }
}

/// The form; the region field follows the browsed region until it is edited.
#[component]
pub fn InstanceForm(region: Memo<String>) -> impl IntoView {
    let app = use_app();
    let base = app.base();
    let lang = app.lang;
    let navigate = use_navigate();
    let (instance_node, region_node) = (NodeRef::<Input>::new(), NodeRef::<Input>::new());
    let (instance_invalid, region_invalid) = (RwSignal::new(false), RwSignal::new(false));
    let submit = {
        let base = base.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let value = |n: NodeRef<Input>| n.get().map(|i| i.value()).unwrap_or_default();
            let (i, r) = (clean_identifier(&value(instance_node)), clean_identifier(&value(region_node)));
            instance_invalid.set(i.is_none());
            region_invalid.set(r.is_none());
            if let (Some(i), Some(r)) = (i, r) {
                navigate(&instance_href(&base, &r, &i, &TaskListQuery::default()), go_options(true));
            }
        }
    };
    let demo = instance_href(&base, DEMO_REGION, DEMO_INSTANCE, &TaskListQuery::default());
    view! {
        <section class="panel" aria-labelledby="form-heading">
            <h2 id="form-heading">{tr(Key::FormHeading)}</h2>
            <form class="picker" data-testid="instance-form" novalidate on:submit=submit>
                <Field id="instance-input" label=Key::FieldInstance hint=Key::FieldInstanceHint error=Key::InstanceInvalid invalid=instance_invalid node=instance_node value=String::new()/>
                <Field id="region-input" label=Key::FieldRegion hint=Key::FieldRegionHint error=Key::RegionInvalid invalid=region_invalid node=region_node value=region/>
                <button type="submit" class="button button--primary" data-testid="open-instance">{tr(Key::OpenInstance)}</button>
            </form>
            <p class="demo-entry">
                {tr(Key::DemoHeading)}
                ": "
                <a href=demo data-testid="demo-link">
                    {move || tf(lang.get(), Key::DemoLink, &[("instance", DEMO_INSTANCE), ("region", DEMO_REGION)])}
                </a>
            </p>
        </section>
    }
}
