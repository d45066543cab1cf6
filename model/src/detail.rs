//! The `Detail` log: `[Section]` headers, `Check ...: success|warning(...)` lines and
//! `YYYY-MM-DD HH:MM:SS --- text` events, parsed into sections with checks and events.
//!
//! Accepts real newlines, the seed document's literal `\n` (and `\\n`), `\r\n`, leading spaces
//! (the SDK sample has ` [Check triggers]`), and keeps every line it cannot read. Never panics.
//!
//! ASSUMPTIONS (no failing sample has been published; docs/architecture.md, "Assumptions"):
//! - a check outcome that is neither `success` nor `warning(...)` is classified by keyword:
//!   containing `fail` or `error` → failure, otherwise "other"; such checks carry `assumed = true`
//!   and always keep their raw text;
//! - event times carry no offset; they are read as +08 (`crate::time::assumed_log_offset`), and
//!   the naive time is kept beside the assumed one;
//! - the section → stage mapping ([`SECTION_STAGES`]) is inferred from the seed, and the full
//!   backup's section and event wordings ([`BACKUP_EVENTS`]) are the simulator's (the seed shows
//!   no backup lines).

use crate::stage::MigrateStage;
use crate::time::{assumed_log_offset, parse_time_assuming};
use chrono::{DateTime, FixedOffset, NaiveDateTime};
use serde::Serialize;

/// How a section name is matched (after lower-casing and collapsing spaces).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionMatch {
    Prefix(&'static str),
    Exact(&'static str),
}

/// The one table mapping log sections to stages. ASSUMED (see docs/architecture.md,
/// "Assumptions"): inferred from the seed (`[Check …]` → precheck, `[Start RDS instance]` →
/// startup, `[Synchronize data]` → increment); the seed shows no full-backup section, so
/// `[Backup data]` → basebackup is the simulator's wording.
pub const SECTION_STAGES: &[(SectionMatch, MigrateStage)] = &[
    (SectionMatch::Prefix("check "), MigrateStage::Precheck),
    (SectionMatch::Exact("check"), MigrateStage::Precheck),
    (SectionMatch::Exact("backup data"), MigrateStage::Basebackup),
    (SectionMatch::Exact("start rds instance"), MigrateStage::Startup),
    (SectionMatch::Exact("synchronize data"), MigrateStage::Increment),
];

/// The stage a section belongs to, per [`SECTION_STAGES`].
pub fn stage_for_section(name: &str) -> Option<MigrateStage> {
    let norm = name.split_whitespace().collect::<Vec<_>>().join(" ").to_ascii_lowercase();
    SECTION_STAGES
        .iter()
        .find(|(m, _)| match m {
            SectionMatch::Prefix(p) => norm.starts_with(p),
            SectionMatch::Exact(e) => norm == *e,
        })
        .map(|(_, stage)| stage.clone())
}

/// ASSUMED wordings of the full backup's events, lower-case prefixes of the event text (the
/// seed shows none; these are the simulator's): start, progress, end. A progress line reads
/// `Full backup progress: 40% (1.23 GiB of 3.08 GiB)`; start and end may carry the total in
/// parentheses.
pub const BACKUP_EVENTS: [(&str, BackupEventKind); 3] = [
    ("start full backup", BackupEventKind::Start),
    ("full backup progress", BackupEventKind::Progress),
    ("full backup finished", BackupEventKind::End),
];

/// Which full-backup event a line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BackupEventKind {
    Start,
    Progress,
    End,
}

/// A full-backup event of the log with the figures it carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupEvent {
    pub kind: BackupEventKind,
    pub time: LogTime,
    /// `40` in `40% (...)`.
    pub percent: Option<u8>,
    /// Bytes copied so far (`1.23 GiB of ...`), as the log rounds it.
    pub done_bytes: Option<u64>,
    /// The backup's size (`... of 3.08 GiB`, or `(3.08 GiB)` on start and end).
    pub total_bytes: Option<u64>,
    pub text: String,
    pub line: usize,
}

/// Reads `1.23 GiB`, `3 GB`, `512 MiB`, `1024 bytes`, `2,5 GB` (decimal comma): IEC units are
/// powers of 1024, SI units powers of 1000, as written.
pub fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ',')).unwrap_or(t.len());
    let (num, unit) = (t.get(..split)?.replace(',', "."), t.get(split..)?.trim());
    let (int, frac) = num.split_once('.').unwrap_or((num.as_str(), ""));
    if int.is_empty() || frac.contains('.') {
        return None;
    }
    let mult: u128 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" | "byte" | "bytes" => 1,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        "tib" => 1 << 40,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        "tb" => 1_000_000_000_000,
        _ => return None,
    };
    let frac = frac.get(..frac.len().min(9)).unwrap_or("");
    let int: u128 = int.parse().ok()?;
    let frac_value: u128 = if frac.is_empty() { 0 } else { frac.parse().ok()? };
    let scale = 10u128.pow(frac.len() as u32);
    let bytes = int.checked_mul(mult)? + frac_value * mult / scale;
    u64::try_from(bytes).ok()
}

fn backup_event(e: &Event) -> Option<BackupEvent> {
    let lower = e.text.to_ascii_lowercase();
    let kind = BACKUP_EVENTS.iter().find(|(p, _)| lower.starts_with(p)).map(|(_, k)| *k)?;
    let percent = e
        .text
        .split_once('%')
        .and_then(|(head, _)| head.rsplit(|c: char| !c.is_ascii_digit()).next())
        .and_then(|d| d.parse::<u8>().ok())
        .filter(|p| *p <= 100);
    let inside = e.text.rsplit_once('(').and_then(|(_, r)| r.split_once(')')).map(|(i, _)| i);
    let (done, total) = match inside {
        Some(i) => match i.split_once(" of ") {
            Some((a, b)) => (parse_size(a), parse_size(b)),
            None => (None, parse_size(i)),
        },
        None => (None, None),
    };
    Some(BackupEvent {
        kind,
        time: e.time.clone(),
        percent,
        done_bytes: done,
        total_bytes: total,
        text: e.text.clone(),
        line: e.line,
    })
}

/// A time from the log: as written, and placed at an offset (assumed +08 when none was written).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogTime {
    pub local: NaiveDateTime,
    pub at: DateTime<FixedOffset>,
    /// True when the log gave no offset and +08 was assumed.
    pub offset_assumed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckOutcome {
    Success,
    Warning,
    Failure,
    /// Neither documented form nor a failure keyword; see `Check::reason` for the text.
    Other,
}

impl CheckOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckOutcome::Success => "success",
            CheckOutcome::Warning => "warning",
            CheckOutcome::Failure => "failure",
            CheckOutcome::Other => "other",
        }
    }
}

/// One `Check ...: outcome` line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Text before the colon, e.g. `Check source glibc version compatible`.
    pub name: String,
    pub outcome: CheckOutcome,
    /// The text in `warning(...)`/`failed(...)`, after `failed:`, or the whole outcome for `Other`.
    pub reason: Option<String>,
    /// True when the outcome was read by the keyword rule (an assumption), not a documented form.
    pub assumed: bool,
    /// The line as it appeared.
    pub raw: String,
    /// 1-based line number.
    pub line: usize,
}

impl Check {
    /// `reason` without a repeated outcome prefix (`warning:source glibc ...` → `source glibc ...`).
    pub fn reason_text(&self) -> Option<&str> {
        let r = self.reason.as_deref()?;
        let lower = r.to_ascii_lowercase();
        for p in ["warning:", "warn:", "failure:", "failed:", "fail:", "error:"] {
            if lower.starts_with(p) {
                return r.get(p.len()..).map(str::trim);
            }
        }
        Some(r)
    }
}

/// One timestamped `time --- text` line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    pub time: LogTime,
    pub text: String,
    pub raw: String,
    pub line: usize,
}

/// A `*...*` line such as `*Migrate check success*`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Marker {
    pub text: String,
    pub raw: String,
    pub line: usize,
    /// Index into `DetailLog::sections`, when inside one.
    pub section: Option<usize>,
}

/// A line that matched no form; kept so nothing is lost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnparsedLine {
    pub line: usize,
    pub text: String,
    pub section: Option<usize>,
}

/// A `[Name]` section and what follows it. Lines before the first header go into a section with
/// an empty name and no header line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section {
    pub name: String,
    /// 1-based line of the `[Name]` header; `None` for the leading unnamed section.
    pub line: Option<usize>,
    /// The stage this section belongs to, per [`SECTION_STAGES`].
    pub stage: Option<MigrateStage>,
    pub checks: Vec<Check>,
    pub events: Vec<Event>,
}

/// The parsed log.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct DetailLog {
    pub sections: Vec<Section>,
    pub markers: Vec<Marker>,
    pub unparsed: Vec<UnparsedLine>,
}

/// Verdict of a precheck, from its checks (and `*...*` markers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PrecheckVerdict {
    /// Every check succeeded.
    Passed,
    /// No failures, at least one warning.
    PassedWithWarnings,
    /// At least one failure (by outcome or by a failing marker).
    Failed,
    /// No failures, but some outcomes could not be classified.
    Inconclusive,
    /// No checks and no markers in the log.
    NotRun,
    /// Checks so far, none failed, but the report is not known to be complete
    /// (`crate::precheck_outcome::precheck_complete`): never "passed".
    InProgress,
}

impl PrecheckVerdict {
    pub fn as_str(self) -> &'static str {
        match self {
            PrecheckVerdict::Passed => "passed",
            PrecheckVerdict::PassedWithWarnings => "passed_with_warnings",
            PrecheckVerdict::Failed => "failed",
            PrecheckVerdict::Inconclusive => "inconclusive",
            PrecheckVerdict::NotRun => "not_run",
            PrecheckVerdict::InProgress => "in_progress",
        }
    }
}

/// When a stage began, as far as the log says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StageStart {
    pub stage: MigrateStage,
    pub time: LogTime,
    /// The section whose event gave the time.
    pub section: String,
}

/// Counts of check outcomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct CheckCounts {
    pub success: usize,
    pub warning: usize,
    pub failure: usize,
    pub other: usize,
}

impl DetailLog {
    pub fn is_empty(&self) -> bool {
        self.sections.is_empty() && self.markers.is_empty() && self.unparsed.is_empty()
    }

    pub fn checks(&self) -> impl Iterator<Item = &Check> {
        self.sections.iter().flat_map(|s| s.checks.iter())
    }

    pub fn events(&self) -> impl Iterator<Item = &Event> {
        self.sections.iter().flat_map(|s| s.events.iter())
    }

    pub fn check_counts(&self) -> CheckCounts {
        let mut c = CheckCounts::default();
        for check in self.checks() {
            match check.outcome {
                CheckOutcome::Success => c.success += 1,
                CheckOutcome::Warning => c.warning += 1,
                CheckOutcome::Failure => c.failure += 1,
                CheckOutcome::Other => c.other += 1,
            }
        }
        c
    }

    /// The precheck verdict of the log alone (a precheck report, or a task whose stage is not
    /// known); see `crate::precheck_outcome::precheck_summary`, which also says which check failed.
    pub fn precheck_verdict(&self) -> PrecheckVerdict {
        crate::precheck_outcome::precheck_summary(self, None).verdict
    }

    /// The earliest event time in the log.
    pub fn first_event_time(&self) -> Option<LogTime> {
        self.events().map(|e| &e.time).min_by_key(|t| t.at).cloned()
    }

    /// The latest event time in the log.
    pub fn last_event_time(&self) -> Option<LogTime> {
        self.events().map(|e| &e.time).max_by_key(|t| t.at).cloned()
    }

    /// For each stage the log names (through [`SECTION_STAGES`]) and that has a timestamped event,
    /// the earliest such time; in stage order. Precheck sections carry no times, so precheck never
    /// appears here.
    pub fn stage_start_times(&self) -> Vec<StageStart> {
        let mut starts: Vec<StageStart> = Vec::new();
        for section in &self.sections {
            let Some(stage) = &section.stage else {
                continue;
            };
            let Some(first) = section.events.iter().map(|e| &e.time).min_by_key(|t| t.at) else {
                continue;
            };
            match starts.iter_mut().find(|s| &s.stage == stage) {
                Some(existing) if first.at < existing.time.at => {
                    existing.time = first.clone();
                    existing.section = section.name.clone();
                }
                Some(_) => {}
                None => starts.push(StageStart {
                    stage: stage.clone(),
                    time: first.clone(),
                    section: section.name.clone(),
                }),
            }
        }
        starts.sort_by_key(|s| s.stage.ordinal().unwrap_or(usize::MAX));
        starts
    }

    /// The full backup's start, progress and end events (ASSUMED wordings, [`BACKUP_EVENTS`]),
    /// from the sections that belong to basebackup, in log order.
    pub fn backup_events(&self) -> Vec<BackupEvent> {
        self.sections
            .iter()
            .filter(|s| s.stage == Some(MigrateStage::Basebackup))
            .flat_map(|s| s.events.iter())
            .filter_map(backup_event)
            .collect()
    }

    /// When `stage` started, if the log says.
    pub fn stage_start(&self, stage: &MigrateStage) -> Option<LogTime> {
        self.stage_start_times().into_iter().find(|s| &s.stage == stage).map(|s| s.time)
    }

    /// The furthest stage any section of the log belongs to.
    pub fn last_logged_stage(&self) -> Option<MigrateStage> {
        self.sections.iter().filter_map(|s| s.stage.clone()).max_by_key(|s| s.ordinal().unwrap_or(0))
    }
}

/// Turns the escaped forms into real line breaks.
fn normalize_newlines(text: &str) -> String {
    text.replace("\\\\r\\\\n", "\n")
        .replace("\\\\n", "\n")
        .replace("\\r\\n", "\n")
        .replace("\\n", "\n")
        .replace("\r\n", "\n")
        .replace('\r', "\n")
}

/// Parses a `Detail` log. Never fails: what it cannot read lands in `unparsed`.
pub fn parse_detail(text: &str) -> DetailLog {
    let mut log = DetailLog::default();
    let normalized = normalize_newlines(text);
    for (idx, raw_line) in normalized.split('\n').enumerate() {
        parse_line(&mut log, raw_line, idx + 1);
    }
    log
}

fn current_section(log: &mut DetailLog) -> &mut Section {
    if log.sections.is_empty() {
        log.sections.push(Section {
            name: String::new(),
            line: None,
            stage: None,
            checks: Vec::new(),
            events: Vec::new(),
        });
    }
    let last = log.sections.len() - 1;
    &mut log.sections[last]
}

fn parse_line(log: &mut DetailLog, raw: &str, line: usize) {
    let mut text = raw.trim();
    // `[Name]`, possibly followed by more text (even more headers) on the same line. A loop,
    // not recursion: a long line of `[]` groups must not exhaust the (small, in wasm) stack.
    while let Some(rest) = text.strip_prefix('[') {
        let Some(close) = rest.find(']') else { break };
        let name = rest.get(..close).unwrap_or("").trim().to_string();
        log.sections.push(Section {
            stage: stage_for_section(&name),
            name,
            line: Some(line),
            checks: Vec::new(),
            events: Vec::new(),
        });
        text = rest.get(close + 1..).unwrap_or("").trim();
    }
    if text.is_empty() {
        return;
    }
    let section_index = log.sections.len().checked_sub(1);
    if text.len() >= 2 && text.starts_with('*') && text.ends_with('*') {
        let inner = text.trim_matches('*').trim().to_string();
        log.markers.push(Marker { text: inner, raw: raw.to_string(), line, section: section_index });
        return;
    }
    if let Some((time, body)) = parse_event(text) {
        current_section(log).events.push(Event { time, text: body, raw: raw.to_string(), line });
        return;
    }
    if let Some(check) = parse_check(text, raw, line) {
        current_section(log).checks.push(check);
        return;
    }
    log.unparsed.push(UnparsedLine { line, text: text.to_string(), section: section_index });
}

/// `2022-02-25 17:00:29 --- text` (an offset or fraction in the time is accepted).
fn parse_event(text: &str) -> Option<(LogTime, String)> {
    if !text.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let (head, body) = match text.find("---") {
        Some(pos) => (text.get(..pos)?, text.get(pos + 3..)?.trim_start_matches('-')),
        // No separator: the time is the first 19 characters.
        None => (text.get(..19)?, text.get(19..)?),
    };
    let (at, assumed) = parse_time_assuming(head.trim(), assumed_log_offset())?;
    let time = LogTime { local: at.naive_local(), at, offset_assumed: assumed };
    Some((time, body.trim().to_string()))
}

/// Outcome words that mark a line as a check even when its name does not start with "Check".
const OUTCOME_WORDS: &[&str] =
    &["success", "succeeded", "successful", "warning", "failed", "failure", "fail", "error"];

fn parse_check(text: &str, raw: &str, line: usize) -> Option<Check> {
    let (name, outcome_text) = text.split_once(':')?;
    let name = name.trim();
    let outcome_text = outcome_text.trim();
    if name.is_empty() {
        return None;
    }
    let first_word: String =
        outcome_text.chars().take_while(|c| c.is_ascii_alphabetic()).collect::<String>().to_ascii_lowercase();
    let named_check = name.len() >= 5 && name.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("check"));
    if !named_check && !OUTCOME_WORDS.contains(&first_word.as_str()) {
        return None;
    }
    let (outcome, reason, assumed) = classify_outcome(outcome_text, &first_word);
    Some(Check { name: name.to_string(), outcome, reason, assumed, raw: raw.to_string(), line })
}

/// Reads `success`, `warning(reason)`, and (ASSUMPTION) anything else by keyword.
fn classify_outcome(text: &str, first_word: &str) -> (CheckOutcome, Option<String>, bool) {
    let rest = text.get(first_word.len()..).unwrap_or("").trim();
    let reason = if let Some(inner) = rest.strip_prefix('(') {
        Some(inner.strip_suffix(')').unwrap_or(inner).trim().to_string())
    } else if let Some(after) = rest.strip_prefix(':') {
        Some(after.trim().to_string())
    } else if rest.is_empty() {
        None
    } else {
        Some(rest.to_string())
    }
    .filter(|r| !r.is_empty());
    match first_word {
        "success" => (CheckOutcome::Success, reason, false),
        "warning" => (CheckOutcome::Warning, reason, false),
        _ => {
            let lower = text.to_ascii_lowercase();
            // ASSUMPTION (docs/architecture.md): no failing sample is published; "fail"/"error" mean failure.
            if lower.contains("fail") || lower.contains("error") {
                (
                    CheckOutcome::Failure,
                    reason.or_else(|| Some(text.to_string())).filter(|r| !r.is_empty()),
                    true,
                )
            } else {
                let whole = (!text.is_empty()).then(|| text.to_string());
                (CheckOutcome::Other, whole, true)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::{seed_example_decoded, SEED_EXAMPLE_RESPONSE};
    use proptest::prelude::*;

    fn seed_detail_decoded() -> String {
        seed_example_decoded()["Items"][0]["Detail"].as_str().unwrap().to_string()
    }

    fn seed_detail_escaped() -> String {
        let v: serde_json::Value = serde_json::from_str(SEED_EXAMPLE_RESPONSE).unwrap();
        v["Items"][0]["Detail"].as_str().unwrap().to_string()
    }

    /// The SDK's precheck sample (reference §2.2), with its ` [Check triggers]` and end marker.
    const SDK_PRECHECK: &str = "[Check rds empty]\\nCheck rds databases: success\\n[Check source connectivity]\\nCheck ip connectable: success\\nCheck port connectable: success\\nCheck database connectable: success\\nCheck account replication privilege: success\\nCheck account createrole privilege: success\\nCheck account monitor privilege: success\\n[Check source version]\\nCheck major version consistent: success\\n[Check source glibc version]\\nCheck source glibc version compatible: warning(warning:source glibc version is not compatible with rds pg)\\n[Check disk size]\\nCheck disk size enough: success\\n[Check wal keep size]\\nCheck wal keep size large enough: success\\n[Check spec params]\\nCheck if spec params too large: success\\n [Check triggers]\\nCheck triggers compatible: success\\n[Check user functions]\\nCheck user functions compatible: success\\n*Migrate check success*";

    #[test]
    fn seed_detail_in_both_escapings() {
        assert!(seed_detail_escaped().contains("\\n"));
        let a = parse_detail(&seed_detail_decoded());
        let b = parse_detail(&seed_detail_escaped());
        assert_eq!(a, b);
        let names: Vec<&str> = a.sections.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Check rds empty",
                "Check source connectivity",
                "Check source version",
                "Check source glibc version",
                "Check disk size",
                "Check wal keep size",
                "Check spec params",
                "Start RDS instance",
                "Synchronize data",
            ]
        );
        assert_eq!(a.checks().count(), 12);
        assert_eq!(a.check_counts(), CheckCounts { success: 11, warning: 1, failure: 0, other: 0 });
        let glibc = a.checks().find(|c| c.outcome == CheckOutcome::Warning).unwrap();
        assert_eq!(glibc.name, "Check source glibc version compatible");
        assert_eq!(
            glibc.reason.as_deref(),
            Some("warning:source glibc version is not compatible with rds pg")
        );
        assert_eq!(glibc.reason_text(), Some("source glibc version is not compatible with rds pg"));
        assert_eq!(glibc.raw, "Check source glibc version compatible: warning(warning:source glibc version is not compatible with rds pg)");
        assert_eq!(glibc.line, 13);
        assert!(!glibc.assumed);
        assert!(a.unparsed.is_empty() && a.markers.is_empty());
        assert_eq!(a.precheck_verdict(), PrecheckVerdict::PassedWithWarnings);

        let events: Vec<&Event> = a.events().collect();
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].text, "Start RDS instance as slave for data replication");
        assert_eq!(events[1].text, "Synchronize data from source to RDS by streaming replication");
        assert_eq!(
            events[1].raw,
            "2022-02-25 17:01:05 --- Synchronize data from source to RDS by streaming replication "
        );
        let first = a.first_event_time().unwrap();
        assert_eq!(first.local.to_string(), "2022-02-25 17:00:29");
        assert_eq!(first.at.to_rfc3339(), "2022-02-25T17:00:29+08:00");
        assert!(first.offset_assumed);
        assert_eq!(a.last_event_time().unwrap().at.to_rfc3339(), "2022-02-25T17:01:05+08:00");

        let starts = a.stage_start_times();
        let got: Vec<(String, String)> =
            starts.iter().map(|s| (s.stage.as_str().to_string(), s.time.at.to_rfc3339())).collect();
        assert_eq!(
            got,
            [
                ("startup".to_string(), "2022-02-25T17:00:29+08:00".to_string()),
                ("increment".to_string(), "2022-02-25T17:01:05+08:00".to_string()),
            ]
        );
        assert_eq!(a.stage_start(&MigrateStage::Precheck), None);
        assert_eq!(a.last_logged_stage(), Some(MigrateStage::Increment));
        assert_eq!(a.sections[0].stage, Some(MigrateStage::Precheck));
    }

    #[test]
    fn sdk_precheck_sample() {
        let log = parse_detail(SDK_PRECHECK);
        assert!(log.sections.iter().any(|s| s.name == "Check triggers"));
        assert_eq!(log.markers.len(), 1);
        assert_eq!(log.markers[0].text, "Migrate check success");
        assert!(log.unparsed.is_empty());
        assert_eq!(log.precheck_verdict(), PrecheckVerdict::PassedWithWarnings);
        assert_eq!(log.first_event_time(), None);
        assert!(log.stage_start_times().is_empty());
    }

    #[test]
    fn check_outcomes() {
        let cases: &[(&str, CheckOutcome, Option<&str>, bool)] = &[
            ("Check a: success", CheckOutcome::Success, None, false),
            ("Check a: SUCCESS", CheckOutcome::Success, None, false),
            ("Check a: warning(warning:x)", CheckOutcome::Warning, Some("warning:x"), false),
            ("Check a: warning", CheckOutcome::Warning, None, false),
            ("Check a: warning(unclosed", CheckOutcome::Warning, Some("unclosed"), false),
            (
                "Check a: failed(error:disk too small)",
                CheckOutcome::Failure,
                Some("error:disk too small"),
                true,
            ),
            ("Check a: fail", CheckOutcome::Failure, Some("fail"), true),
            ("Check a: failure: no route", CheckOutcome::Failure, Some("no route"), true),
            ("Check a: error(timeout)", CheckOutcome::Failure, Some("timeout"), true),
            ("Check a: not ok, see error log", CheckOutcome::Failure, Some("ok, see error log"), true),
            ("Check a: skipped", CheckOutcome::Other, Some("skipped"), true),
            ("Check a: ", CheckOutcome::Other, None, true),
            ("Verify b: success", CheckOutcome::Success, None, false),
            ("Verify b: failed", CheckOutcome::Failure, Some("failed"), true),
        ];
        for (line, outcome, reason, assumed) in cases {
            let log = parse_detail(line);
            let c = log.checks().next().unwrap_or_else(|| panic!("no check in {line:?}"));
            assert_eq!((c.outcome, c.reason.as_deref(), c.assumed), (*outcome, *reason, *assumed), "{line}");
            assert_eq!(c.raw, *line);
        }
    }

    #[test]
    fn verdicts() {
        let cases: &[(&str, PrecheckVerdict)] = &[
            ("", PrecheckVerdict::NotRun),
            ("[Start RDS instance]\n2022-02-25 17:00:29 --- go", PrecheckVerdict::NotRun),
            ("Check a: success\nCheck b: success", PrecheckVerdict::InProgress),
            ("Check a: success\nCheck b: success\n*end*", PrecheckVerdict::Passed),
            (
                "Check a: success\nCheck b: warning(x)\n[Start RDS instance]",
                PrecheckVerdict::PassedWithWarnings,
            ),
            ("Check a: success\nCheck b: failed", PrecheckVerdict::Failed),
            ("Check a: warning(x)\nCheck b: skipped", PrecheckVerdict::InProgress),
            ("Check a: warning(x)\nCheck b: skipped\n*end*", PrecheckVerdict::Inconclusive),
            ("Check a: skipped\nCheck b: error", PrecheckVerdict::Failed),
            ("*Migrate check success*", PrecheckVerdict::Passed),
            ("Check a: success\n*Migrate check failed*", PrecheckVerdict::Failed),
            ("*Something*", PrecheckVerdict::Inconclusive),
        ];
        for (text, want) in cases {
            assert_eq!(parse_detail(text).precheck_verdict(), *want, "{text:?}");
        }
    }

    #[test]
    fn lines_and_sections() {
        let text = "preamble line\r\nCheck early: success\r\n[Start RDS instance] 2022-02-25 17:00:29 --- inline event\n\n   \n[Synchronize data]\n2022-02-25 17:01:05 --- a\n2022-02-25 16:59:00+00 --- with offset\n2022-02-25 17:02:00 no separator\n2022-13-45 17:00:00 --- bad date\n[unclosed\n[ Custom step ]\nrandom words: here\n";
        let log = parse_detail(text);
        let names: Vec<&str> = log.sections.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["", "Start RDS instance", "Synchronize data", "Custom step"]);
        assert_eq!(log.sections[0].line, None);
        assert_eq!(log.sections[0].checks.len(), 1);
        assert_eq!(log.sections[1].events[0].text, "inline event");
        assert_eq!(log.sections[1].events[0].line, 3);
        let sync = &log.sections[2];
        assert_eq!(sync.events.len(), 3);
        assert!(!sync.events[1].time.offset_assumed);
        assert_eq!(sync.events[1].time.at.to_rfc3339(), "2022-02-25T16:59:00+00:00");
        assert_eq!(sync.events[2].text, "no separator");
        assert_eq!(log.sections[3].stage, None);
        let unparsed: Vec<(usize, &str)> = log.unparsed.iter().map(|u| (u.line, u.text.as_str())).collect();
        assert_eq!(
            unparsed,
            [
                (1, "preamble line"),
                (10, "2022-13-45 17:00:00 --- bad date"),
                (11, "[unclosed"),
                (13, "random words: here")
            ]
        );
        assert_eq!(log.unparsed[0].section, None);
        assert_eq!(log.unparsed[3].section, Some(3));
        // 16:59:00+00 is 00:59+08 on the 26th: the latest event despite its place in the log.
        assert_eq!(log.last_event_time().unwrap().at.to_rfc3339(), "2022-02-25T16:59:00+00:00");
        assert_eq!(log.first_event_time().unwrap().local.to_string(), "2022-02-25 17:00:29");
        let starts = log.stage_start_times();
        assert_eq!(starts[0].stage, MigrateStage::Startup);
        assert_eq!(starts[1].stage, MigrateStage::Increment);
        assert_eq!(starts[1].time.local.to_string(), "2022-02-25 17:01:05");
    }

    #[test]
    fn stage_table() {
        let cases: &[(&str, Option<MigrateStage>)] = &[
            ("Check rds empty", Some(MigrateStage::Precheck)),
            ("check   disk size", Some(MigrateStage::Precheck)),
            ("Check", Some(MigrateStage::Precheck)),
            ("Checkpoint", None),
            ("Start RDS instance", Some(MigrateStage::Startup)),
            ("start rds  instance", Some(MigrateStage::Startup)),
            ("Synchronize data", Some(MigrateStage::Increment)),
            ("Switch", None),
            ("Backup data", Some(MigrateStage::Basebackup)),
            ("", None),
        ];
        for (name, want) in cases {
            assert_eq!(stage_for_section(name), *want, "{name}");
        }
    }

    #[test]
    fn double_escaped_and_odd_text() {
        let log = parse_detail("[Check a]\\\\nCheck x: success\\\\n");
        assert_eq!(log.checks().count(), 1);
        assert!(log.unparsed.is_empty());
        for odd in [
            "\u{0}",
            "[",
            "]",
            "*",
            "**",
            ":",
            "2022",
            "2022-02-25 17:00:29",
            "é[ü]:ß",
            "Check:",
            "---",
            "0000-00-00 00:00:00 --- x",
        ] {
            let _ = parse_detail(odd);
        }
        assert_eq!(parse_detail("**").markers.len(), 1);
    }

    #[test]
    fn backup_events_with_progress_and_sizes() {
        let text = "[Check a]\nCheck x: success\n[Backup data]\n2026-12-04 10:00:00 --- Start full backup of source data (3.00 GiB)\n2026-12-04 10:05:00 --- Full backup progress: 20% (0.60 GiB of 3.00 GiB)\n2026-12-04 10:10:00 --- Full backup progress: 40% (1.20 GiB of 3.00 GiB)\n2026-12-04 10:25:00 --- Full backup finished (3.00 GiB)\n[Start RDS instance]\n2026-12-04 10:25:00 --- Start RDS instance as slave for data replication\n";
        let log = parse_detail(text);
        assert!(log.unparsed.is_empty());
        let ev = log.backup_events();
        let kinds: Vec<BackupEventKind> = ev.iter().map(|e| e.kind).collect();
        use BackupEventKind::*;
        assert_eq!(kinds, [Start, Progress, Progress, End]);
        assert_eq!(ev[0].total_bytes, Some(3 << 30));
        assert_eq!(
            (ev[2].percent, ev[2].done_bytes, ev[2].total_bytes),
            (Some(40), Some(1_288_490_188), Some(3 << 30))
        );
        assert_eq!(ev[0].percent, None);
        assert_eq!(
            log.stage_start(&MigrateStage::Basebackup).unwrap().local.to_string(),
            "2026-12-04 10:00:00"
        );
        for (t, want) in [
            ("1.23 GiB", Some(1_320_702_443)),
            ("3 GB", Some(3_000_000_000)),
            ("2,5 GB", Some(2_500_000_000)),
            ("512 MiB", Some(512 << 20)),
            ("1024 bytes", Some(1024)),
            ("12", Some(12)),
            ("x GB", None),
            ("1.2.3 GB", None),
            ("5 parsecs", None),
            ("", None),
            ("99999999999999999999 TiB", None),
        ] {
            assert_eq!(parse_size(t), want, "{t}");
        }
    }

    proptest! {
        #[test]
        fn never_panics(s in ".*") {
            let log = parse_detail(&s);
            let _ = (log.precheck_verdict(), log.first_event_time(), log.last_event_time(), log.stage_start_times());
        }

        #[test]
        fn never_panics_on_loglike(s in r"(\[[A-Za-z ]{0,12}\]|Check [a-z ]{0,8}: (success|warning\([a-z:]*\)|[a-z]*)|20[0-9]{2}-[0-1][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-5][0-9] --- [a-z ]*|\*[a-z ]*\*|\\n|\n|[ -~]{0,5}){0,12}") {
            let log = parse_detail(&s);
            let _ = (log.precheck_verdict(), log.stage_start_times());
            // Every non-empty line is accounted for.
            let lines = normalize_newlines(&s).split('\n').filter(|l| !l.trim().is_empty()).count();
            let parsed = log.checks().count() + log.events().count() + log.markers.len() + log.unparsed.len()
                + log.sections.iter().filter(|s| s.line.is_some()).count();
            prop_assert!(parsed >= lines);
        }
    }

    #[test]
    fn a_long_line_of_headers_does_not_exhaust_the_stack() {
        let log = parse_detail(&"[]".repeat(50_000));
        assert_eq!(log.sections.len(), 50_000);
        let log = parse_detail("[Check a][Check b] Check x: success");
        assert_eq!(log.sections.len(), 2);
        assert_eq!(log.sections[1].checks.len(), 1);
    }
}
