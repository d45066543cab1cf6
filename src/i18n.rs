//! Every visible string of the app, in English and Bahasa Indonesia.
//!
//! Pure data and lookups (no browser types), unit-tested natively. The language itself
//! ([`Lang`]) and its tag parsing live in `migration-model`; the browser side (navigator
//! language, localStorage) is in `prefs.rs`. Stage labels and error-code messages come from the
//! model's own tables (`MigrateStage::label`, `error_info`), not from here.
//!
//! A string is a [`Key`]; [`t`] looks it up. Strings with values take `{name}` placeholders filled
//! by [`tf`]. The tests check that both languages have every key and the same placeholders.

pub use migration_model::Lang;

macro_rules! strings {
    ($( $(#[$meta:meta])* $key:ident => ($en:expr, $id:expr), )*) => {
        /// One visible string of the app.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Key {
            $( $(#[$meta])* $key, )*
        }

        impl Key {
            /// Every key, for tests and tooling.
            pub const ALL: &'static [Key] = &[ $( Key::$key, )* ];

            /// The English and Indonesian text.
            pub const fn texts(self) -> (&'static str, &'static str) {
                match self {
                    $( Key::$key => ($en, $id), )*
                }
            }
        }
    };
}

strings! {
    // Shell
    AppTitle => ("RDS Migration Dashboard", "Dasbor Migrasi RDS"),
    SkipToContent => ("Skip to main content", "Lewati ke konten utama"),
    MainNav => ("Main", "Utama"),
    NavHome => ("Choose an instance", "Pilih instans"),
    LanguageLabel => ("Language", "Bahasa"),
    LanguageEnglish => ("English", "English"),
    LanguageIndonesian => ("Bahasa Indonesia", "Bahasa Indonesia"),
    ThemeSystem => ("System", "Sistem"),
    ThemeLight => ("Light", "Terang"),
    ThemeDark => ("Dark", "Gelap"),
    /// `{theme}` is the current theme's name.
    ThemeToggle => ("Theme: {theme}", "Tema: {theme}"),
    ThemeToggleHint => (
        "Switch between the system theme, light and dark",
        "Beralih antara tema sistem, terang, dan gelap"
    ),
    DemoBanner => (
        "Demo data: these tasks come from the built-in simulator, not from Alibaba Cloud.",
        "Data demo: tugas-tugas ini berasal dari simulator bawaan, bukan dari Alibaba Cloud."
    ),
    /// `{user}` is the signed-in user's name.
    SignedInAs => ("Signed in as {user}", "Masuk sebagai {user}"),
    /// `{version}` is the proxy's version.
    FooterVersion => ("Proxy version {version}", "Versi proxy {version}"),

    // Home
    HomeHeading => ("Open an RDS instance", "Buka instans RDS"),
    HomeIntro => (
        "Enter the RDS for PostgreSQL instance that the migration tasks move data into.",
        "Masukkan instans RDS for PostgreSQL yang menjadi tujuan tugas migrasi."
    ),
    FieldInstance => ("Instance ID (DBInstanceName)", "ID instans (DBInstanceName)"),
    FieldInstanceHint => ("For example pgm-bp102g323jd4demo", "Misalnya pgm-bp102g323jd4demo"),
    FieldRegion => ("Region (RegionId)", "Wilayah (RegionId)"),
    FieldRegionHint => ("For example cn-hangzhou", "Misalnya cn-hangzhou"),
    OpenInstance => ("Show migration tasks", "Tampilkan tugas migrasi"),
    InstanceInvalid => (
        "Enter an instance ID: letters, digits, '-', '_' or '.'.",
        "Masukkan ID instans: huruf, angka, '-', '_' atau '.'."
    ),
    RegionInvalid => (
        "Enter a region ID: letters, digits, '-', '_' or '.'.",
        "Masukkan ID wilayah: huruf, angka, '-', '_' atau '.'."
    ),
    DemoHeading => ("Demo instance", "Instans demo"),
    /// `{instance}` and `{region}` name the demo instance.
    DemoLink => ("Open {instance} in {region}", "Buka {instance} di {region}"),

    // Task list
    TasksHeading => ("Migration tasks", "Tugas migrasi"),
    /// `{instance}` and `{region}` name the instance being shown.
    TasksOf => ("Instance {instance} in {region}", "Instans {instance} di {region}"),
    TasksCaption => (
        "Cloud-migration tasks into this instance",
        "Tugas migrasi ke cloud menuju instans ini"
    ),
    ColTaskId => ("Task ID", "ID tugas"),
    ColTaskName => ("Task name", "Nama tugas"),
    ColSource => ("Source (IP:port)", "Sumber (IP:port)"),
    ColStage => ("Stage", "Tahap"),
    ColReplicationState => ("Replication state", "Status replikasi"),
    ColCreated => ("Created (UTC)", "Dibuat (UTC)"),
    ColModified => ("Modified (UTC)", "Diubah (UTC)"),
    Loading => ("Loading…", "Memuat…"),
    Refreshing => ("Refreshing…", "Menyegarkan…"),
    EmptyTasks => (
        "This instance has no migration tasks on this page.",
        "Instans ini tidak memiliki tugas migrasi di halaman ini."
    ),
    EmptyFiltered => (
        "No migration task matches these filters.",
        "Tidak ada tugas migrasi yang cocok dengan filter ini."
    ),
    /// `{total}` is the number of tasks, `{page}` and `{pages}` the page and page count.
    TotalTasks => (
        "{total} tasks in total · page {page} of {pages}",
        "Total {total} tugas · halaman {page} dari {pages}"
    ),
    Pagination => ("Pages", "Halaman"),
    PrevPage => ("Previous page", "Halaman sebelumnya"),
    NextPage => ("Next page", "Halaman berikutnya"),
    FirstPage => ("First page", "Halaman pertama"),
    NotGiven => ("not given", "tidak ada"),
    /// `{age}` is a number of seconds.
    StaleNotice => (
        "The cloud service did not answer: showing a saved answer from {age} s ago.",
        "Layanan cloud tidak menjawab: menampilkan jawaban tersimpan dari {age} detik lalu."
    ),
    /// `{value}` is a wire value the app does not know.
    UnknownValue => ("unknown value “{value}”", "nilai tak dikenal “{value}”"),

    // Errors
    ErrorHeading => ("The data could not be loaded", "Data tidak dapat dimuat"),
    ErrorNetwork => (
        "The dashboard could not reach its server. Check the connection and try again.",
        "Dasbor tidak dapat menghubungi servernya. Periksa koneksi lalu coba lagi."
    ),
    ErrorDecode => (
        "The server's answer could not be read. It may be a version mismatch; try again or tell the operators.",
        "Jawaban server tidak dapat dibaca. Mungkin versinya tidak cocok; coba lagi atau beri tahu operator."
    ),
    /// `{status}` is the HTTP status code.
    ErrorHttp => (
        "The server answered with status {status} and no error description.",
        "Server menjawab dengan status {status} tanpa keterangan kesalahan."
    ),
    ErrorCode => ("Code", "Kode"),
    ErrorRequestId => ("Request ID", "ID permintaan"),
    ErrorStatus => ("HTTP status", "Status HTTP"),
    ErrorServiceMessage => ("Service message", "Pesan layanan"),
    ErrorRecommend => ("Recommendation", "Rekomendasi"),
    ErrorTechnical => ("Technical detail", "Detail teknis"),
    Retry => ("Retry", "Coba lagi"),
    SessionError => (
        "Could not load the session; some defaults may be missing.",
        "Sesi tidak dapat dimuat; beberapa nilai bawaan mungkin tidak ada."
    ),

    // Task page (placeholder until the full detail view exists)
    /// `{id}` is the task ID.
    TaskHeading => ("Task {id}", "Tugas {id}"),
    TaskPlaceholderNote => (
        "Not built yet: the full task view (stage timeline, precheck checklist, replication panel, switch readiness) comes later. Below are the task's fields exactly as the service returned them.",
        "Belum dibuat: tampilan lengkap tugas (lini masa tahap, daftar prapemeriksaan, panel replikasi, kesiapan peralihan) menyusul. Di bawah ini adalah kolom tugas persis seperti yang dikembalikan layanan."
    ),
    TaskNotFound => (
        "The service returned no task with this ID for this instance.",
        "Layanan tidak mengembalikan tugas dengan ID ini untuk instans ini."
    ),
    TaskIdInvalid => ("This task ID is not a number.", "ID tugas ini bukan angka."),
    BackToTasks => ("Back to the task list", "Kembali ke daftar tugas"),

    // Not found
    NotFoundHeading => ("Page not found", "Halaman tidak ditemukan"),
    NotFoundText => (
        "This address is not a page of the dashboard.",
        "Alamat ini bukan halaman dasbor."
    ),
    GoHome => ("Go to the start page", "Ke halaman awal"),
}

/// The text of `key` in `lang`.
pub fn t(lang: Lang, key: Key) -> &'static str {
    let (en, id) = key.texts();
    match lang {
        Lang::En => en,
        Lang::Id => id,
    }
}

/// The text of `key` in `lang` with its `{name}` placeholders filled from `args`.
/// Unknown placeholders are left as they are.
pub fn tf(lang: Lang, key: Key, args: &[(&str, &str)]) -> String {
    fill(t(lang, key), args)
}

fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                let name = &after[..end];
                match args.iter().find(|(k, _)| *k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The placeholder names in a template, in order.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                names.push(&after[..end]);
                rest = &after[end + 1..];
            }
            None => break,
        }
    }
    names
}

/// The language's name in itself, for the language picker.
pub fn language_name(lang: Lang) -> &'static str {
    match lang {
        Lang::En => t(Lang::En, Key::LanguageEnglish),
        Lang::Id => t(Lang::Id, Key::LanguageIndonesian),
    }
}

/// Picks the initial language: a remembered choice wins, then the browser's preferred
/// languages in order, then English.
pub fn initial_lang<'a>(stored: Option<&str>, browser: impl IntoIterator<Item = &'a str>) -> Lang {
    if let Some(lang) = stored.and_then(Lang::from_tag) {
        return lang;
    }
    browser
        .into_iter()
        .find_map(Lang::from_tag)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Strings that are deliberately the same in both languages (names, codes).
    const SAME_IN_BOTH: &[Key] = &[Key::LanguageEnglish, Key::LanguageIndonesian];

    #[test]
    fn every_key_has_both_languages() {
        for key in Key::ALL {
            let (en, id) = key.texts();
            assert!(!en.trim().is_empty(), "{key:?} has no English text");
            assert!(!id.trim().is_empty(), "{key:?} has no Indonesian text");
            if !SAME_IN_BOTH.contains(key) {
                assert_ne!(en, id, "{key:?} is not translated");
            }
        }
    }

    #[test]
    fn placeholders_match_between_languages() {
        for key in Key::ALL {
            let (en, id) = key.texts();
            let mut a = placeholders(en);
            let mut b = placeholders(id);
            a.sort_unstable();
            b.sort_unstable();
            assert_eq!(a, b, "{key:?}");
        }
    }

    #[test]
    fn lookup_and_fill() {
        assert_eq!(t(Lang::En, Key::Retry), "Retry");
        assert_eq!(t(Lang::Id, Key::Retry), "Coba lagi");
        assert_eq!(
            tf(Lang::Id, Key::TaskHeading, &[("id", "440437220")]),
            "Tugas 440437220"
        );
        assert_eq!(
            tf(
                Lang::En,
                Key::TotalTasks,
                &[("total", "42"), ("page", "1"), ("pages", "2")]
            ),
            "42 tasks in total · page 1 of 2"
        );
        assert_eq!(fill("a {x} b {y}", &[("x", "1")]), "a 1 b {y}");
        assert_eq!(fill("open { brace", &[]), "open { brace");
        assert_eq!(fill("ünï {x}", &[("x", "✓")]), "ünï ✓");
    }

    #[test]
    fn language_choice() {
        assert_eq!(initial_lang(None, ["id-ID", "en-US"]), Lang::Id);
        assert_eq!(initial_lang(None, ["fr-FR", "en-GB"]), Lang::En);
        assert_eq!(initial_lang(None, ["fr-FR"]), Lang::En);
        assert_eq!(initial_lang(Some("en"), ["id-ID"]), Lang::En);
        assert_eq!(initial_lang(Some("garbage"), ["id"]), Lang::Id);
        assert_eq!(initial_lang(None, std::iter::empty()), Lang::En);
        assert_eq!(language_name(Lang::Id), "Bahasa Indonesia");
    }
}
