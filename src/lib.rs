//! RDS Migration Dashboard: the browser app (Leptos 0.8, client-side rendered, built by Trunk).
//!
//! - `app`: the root component (router under the runtime base path, frame, routes) and the
//!   app-wide context (API, language, theme, clock, session).
//! - `pages/`: one folder per routed page, holding the page and the components only it uses.
//! - `components/`: components shared by pages (frame, loading and errors, values, checklist).
//! - `api`: the only module that talks HTTP; `resource`: the keep-last-good-data resource.
//! - `url`: every address the app builds; `i18n`: every UI string (English, Bahasa Indonesia);
//!   `verdicts`: every model verdict turned into text.
//! - `rows`, `hints`, `theme`: pure logic, unit-tested natively (`cargo test -p
//!   migration-dashboard`); `prefs`, `clock`, `scroll`: browser glue. Figures are written by
//!   the model's one formatter (`migration_model::format`).

pub mod api;
pub mod app;
pub mod clock;
pub mod components;
pub mod hints;
pub mod i18n;
pub mod pages;
pub mod prefs;
pub mod resource;
pub mod rows;
pub mod scroll;
pub mod theme;
pub mod url;
pub mod verdicts;

pub use app::App;
