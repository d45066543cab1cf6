//! The service-side filters (TaskId, TaskName, SourceIpAddress, SourcePort), filled from the URL;
//! Apply writes them to the URL (first page, other settings kept), Clear removes them.

use super::ListRef;
use crate::app::tr;
use crate::i18n::Key;
use crate::pages::go_options;
use crate::url::TaskListQuery;
use leptos::html::Input;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

/// Reads the filter fields into the query (first page, other settings kept); `None` when the task
/// ID or the port is not a whole number (the port 1 to 65535).
pub fn apply_filters(q: &TaskListQuery, fields: [&str; 4]) -> Option<TaskListQuery> {
    let field = |i: usize| Some(fields[i].trim().to_owned()).filter(|v| !v.is_empty());
    let task_id = match field(0) {
        Some(v) => Some(v.parse::<u64>().ok()?),
        None => None,
    };
    let source_port = match field(3) {
        Some(v) => Some(v.parse::<u32>().ok().filter(|p| (1..=65_535).contains(p))?),
        None => None,
    };
    Some(TaskListQuery {
        page: 1,
        task_id,
        task_name: field(1),
        source_ip: field(2),
        source_port,
        ..q.clone()
    })
}

#[component]
fn FilterField(
    name: &'static str,
    label: Key,
    numeric: bool,
    value: Signal<String>,
    node: NodeRef<Input>,
) -> impl IntoView {
    let id = format!("filter-{name}");
    view! {
        <div class="field field--compact">
            <label for=id.clone()>{tr(label)}</label>
            <input
                node_ref=node
                id=id.clone()
                name=name
                type="text"
                inputmode=if numeric { "numeric" } else { "text" }
                autocomplete="off"
                data-testid=id
                aria-describedby="filter-error"
                prop:value=value
            />
        </div>
    }
}

/// The filter form.
#[component]
pub fn Filters(list: ListRef) -> impl IntoView {
    let navigate = use_navigate();
    let invalid = RwSignal::new(false);
    let nodes: [NodeRef<Input>; 4] = std::array::from_fn(|_| NodeRef::new());
    let q = list.query;
    let value =
        |f: fn(&TaskListQuery) -> Option<String>| Signal::derive(move || q.with(f).unwrap_or_default());
    let submit = {
        let navigate = navigate.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let values = nodes.map(|n| n.get().map(|i| i.value()).unwrap_or_default());
            let fields = [values[0].as_str(), values[1].as_str(), values[2].as_str(), values[3].as_str()];
            match q.with_untracked(|q| apply_filters(q, fields)) {
                Some(next) => {
                    invalid.set(false);
                    navigate(&list.href(&next), go_options(false));
                }
                None => invalid.set(true),
            }
        }
    };
    let clear = move |_| {
        invalid.set(false);
        navigate(&list.href(&q.with_untracked(TaskListQuery::without_filters)), go_options(false));
    };
    view! {
        <form class="filters" data-testid="filters" novalidate on:submit=submit>
            <fieldset>
                <legend>{tr(Key::FiltersHeading)}</legend>
                <div class="filters__fields">
                    <FilterField name="taskId" label=Key::ColTaskId numeric=true value=value(|q| q.task_id.map(|v| v.to_string())) node=nodes[0]/>
                    <FilterField name="taskName" label=Key::ColTaskName numeric=false value=value(|q| q.task_name.clone()) node=nodes[1]/>
                    <FilterField name="sourceIp" label=Key::FilterSourceIp numeric=false value=value(|q| q.source_ip.clone()) node=nodes[2]/>
                    <FilterField name="sourcePort" label=Key::FilterSourcePort numeric=true value=value(|q| q.source_port.map(|v| v.to_string())) node=nodes[3]/>
                </div>
                <div class="filters__actions">
                    <button type="submit" class="button" data-testid="apply-filters">{tr(Key::ApplyFilters)}</button>
                    <button type="button" class="button button--quiet" data-testid="clear-filters" on:click=clear>
                        {tr(Key::ClearFilters)}
                    </button>
                </div>
                <p id="filter-error" class="field-error" data-testid="filter-error" aria-live="polite">
                    {move || invalid.get().then(tr(Key::FilterInvalid))}
                </p>
            </fieldset>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_checked() {
        let q = TaskListQuery { page: 3, size: 10, ..TaskListQuery::default() };
        let next = apply_filters(&q, ["7", " a ", "", "5432"]).unwrap();
        assert_eq!(next.to_query_string(), "?size=10&taskId=7&taskName=a&sourcePort=5432");
        assert_eq!(apply_filters(&q, ["x", "", "", ""]), None);
        assert_eq!(apply_filters(&q, ["", "", "", "70000"]), None);
    }
}
