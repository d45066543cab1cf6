//! Components shared by the pages. They render what they are given and never fetch; the
//! language and the clock come from the app context (display state, not data).

pub mod alerts;
pub mod checklist;
pub mod shell;
pub mod status;
pub mod values;
