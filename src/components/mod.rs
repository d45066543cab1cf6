//! Render-only pieces: they take data (as signals) and callbacks and never fetch. The language
//! and the clock come from the app context (display state, not data).

pub mod cells;
pub mod detail;
pub mod shell;
pub mod status;
pub mod tables;
