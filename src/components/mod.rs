//! Render-only components: they take data and callbacks as props and never fetch. The language
//! comes from the app context (it is display state, not data).

pub mod shell;
pub mod status;
pub mod task_fields;
pub mod task_table;

pub use shell::{DemoBanner, Footer, Header};
pub use status::{ErrorPanel, LoadingState, Refreshing, StaleNotice};
pub use task_fields::TaskFields;
pub use task_table::{Pager, ReplicationStateCell, StageCell, TaskTable};
