//! Routed pages, one per file. Pages read the URL (through `nav`), own their data (a
//! `context::Loader` over `api.rs`) and hand it to render-only components.

pub mod home;
pub mod instance;
pub mod not_found;
pub mod task;

pub use home::home_page;
pub use instance::instance_page;
pub use not_found::not_found_page;
pub use task::task_page;
