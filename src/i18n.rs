//! Every visible string of the app, in English and Bahasa Indonesia.
//!
//! Pure data and lookups (no browser types), unit-tested natively. The language itself
//! ([`Lang`]) and its tag parsing live in `migration-model`; the browser side (navigator
//! language, localStorage) is in `prefs.rs`. The model returns structured values and verdicts
//! and no words: their names are here too (`src/verdicts.rs` picks the key), and so is a
//! message for each error code of the model's catalogue ([`error_message`]).
//!
//! Why not `leptos_i18n`: it generates its keys from locale files with a build-time macro crate
//! (plus ICU plural support) that this workspace does not otherwise need, and the app's bundle
//! is already close to its 350 KB (brotli) budget; a plain enum with a match compiles to a table
//! and needs no build step. That choice was not measured against `leptos_i18n` itself.
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
    NavHome => ("Instances", "Instans"),
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
    /// `{zone}` is the viewer's offset, e.g. UTC+07:00.
    FooterTimeZone => (
        "Times are in your time zone ({zone}); point at a time to see it in UTC.",
        "Waktu ditampilkan dalam zona waktu Anda ({zone}); arahkan penunjuk ke waktu untuk melihatnya dalam UTC."
    ),
    Breadcrumb => ("You are here", "Anda di sini"),

    // Home
    HomeHeading => ("Open an RDS instance", "Buka instans RDS"),
    HomeIntro => (
        "Pick the RDS for PostgreSQL instance that the migration tasks move data into, or type its ID.",
        "Pilih instans RDS for PostgreSQL yang menjadi tujuan tugas migrasi, atau ketik ID-nya."
    ),
    RecentHeading => ("Recently opened", "Baru dibuka"),
    RecentClear => ("Clear this list", "Hapus daftar ini"),
    FormHeading => ("Type or paste an instance ID", "Ketik atau tempel ID instans"),
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
    BrowseHeading => ("PostgreSQL instances by region", "Instans PostgreSQL per wilayah"),
    BrowseRegion => ("Region", "Wilayah"),
    InstancesCaption => ("RDS for PostgreSQL instances in this region", "Instans RDS for PostgreSQL di wilayah ini"),
    ColInstance => ("Instance ID", "ID instans"),
    ColDescription => ("Description", "Deskripsi"),
    ColVersion => ("Version", "Versi"),
    ColInstanceStatus => ("Instance status", "Status instans"),
    ColZone => ("Zone", "Zona"),
    EmptyInstances => (
        "No RDS for PostgreSQL instance in this region.",
        "Tidak ada instans RDS for PostgreSQL di wilayah ini."
    ),
    /// `{instances}` a counted noun, `{page}` of `{pages}`.
    TotalInstances => (
        "{instances} · page {page} of {pages}",
        "{instances} · halaman {page} dari {pages}"
    ),
    /// `{n}` is a number (singular).
    InstanceOne => ("{n} instance", "{n} instans"),
    /// `{n}` is a number.
    InstanceOther => ("{n} instances", "{n} instans"),
    DemoHeading => ("Demo instance", "Instans demo"),
    /// `{instance}` and `{region}` name the demo instance.
    DemoLink => ("Open {instance} in {region}", "Buka {instance} di {region}"),

    // Instance page
    /// `{instance}` is the DBInstanceName.
    InstanceHeading => ("Instance {instance}", "Instans {instance}"),
    /// `{region}` is the RegionId.
    InstanceRegion => ("Region {region}", "Wilayah {region}"),
    TabsLabel => ("Lists of this instance", "Daftar instans ini"),
    TabTasks => ("Migration tasks", "Tugas migrasi"),
    TabPrechecks => ("Prechecks", "Prapemeriksaan"),
    FiltersHeading => ("Filter (done by the service)", "Filter (dilakukan oleh layanan)"),
    FilterSourceIp => ("Source IP address", "Alamat IP sumber"),
    FilterSourcePort => ("Source port", "Port sumber"),
    PageSize => ("Rows per page", "Baris per halaman"),
    ApplyFilters => ("Apply", "Terapkan"),
    ClearFilters => ("Clear", "Hapus"),
    FilterInvalid => (
        "Task ID and port must be whole numbers (the port from 1 to 65535).",
        "ID tugas dan port harus bilangan bulat (port dari 1 sampai 65535)."
    ),
    TasksCaption => (
        "Cloud-migration tasks into this instance, this page",
        "Tugas migrasi ke cloud menuju instans ini, halaman ini"
    ),
    PrechecksCaption => (
        "Precheck reports of this instance, this page",
        "Laporan prapemeriksaan instans ini, halaman ini"
    ),
    SortNote => (
        "Column buttons sort the rows of this page only; paging follows the service's order.",
        "Tombol kolom hanya mengurutkan baris di halaman ini; halaman mengikuti urutan layanan."
    ),
    RowFilterHeading => (
        "Show on this page (hides rows on screen; the service is not asked)",
        "Tampilkan di halaman ini (menyembunyikan baris di layar; layanan tidak ditanya)"
    ),
    RowFilterAttention => ("Needs attention only", "Hanya yang perlu perhatian"),
    RowFilterAny => ("All", "Semua"),
    RowFilterClear => ("Show every row", "Tampilkan semua baris"),
    /// `{shown}` and `{all}` are numbers.
    RowFilterCount => (
        "Showing {shown} of the {all} tasks on this page.",
        "Menampilkan {shown} dari {all} tugas di halaman ini."
    ),
    EmptyRowFilter => (
        "No task on this page matches the on-screen filter.",
        "Tidak ada tugas di halaman ini yang cocok dengan filter layar."
    ),
    OrderChanged => ("Order changed: re-sort", "Urutan berubah: urutkan ulang"),
    PrechecksOfSource => ("Prechecks from this source", "Prapemeriksaan dari sumber ini"),
    TasksOfSource => ("Tasks from this source", "Tugas dari sumber ini"),
    ChecklistAttentionHeading => ("Failed and warning checks", "Pemeriksaan yang gagal dan berperingatan"),
    /// `{check}` is the check's name.
    CheckLink => ("Link to the check {check}", "Tautan ke pemeriksaan {check}"),
    ColTaskId => ("Task ID", "ID tugas"),
    ColTaskName => ("Task name", "Nama tugas"),
    ColSource => ("Source", "Sumber"),
    ColStage => ("Stage", "Tahap"),
    ColAttention => ("Attention", "Perhatian"),
    AttentionNone => ("OK", "Baik"),
    ColReplicationState => ("Replication state", "Status replikasi"),
    ColLag => (
        "Lag, bytes: not yet replayed / behind the source's report",
        "Ketertinggalan, byte: belum diterapkan / di belakang laporan sumber"
    ),
    ColLastMessage => ("Last message", "Pesan terakhir"),
    ColCreated => ("Created", "Dibuat"),
    ColModified => ("Modified", "Diubah"),
    ColSwitch => ("Switch time", "Waktu peralihan"),
    ColVerdict => ("Result", "Hasil"),
    ColChecks => ("Checks", "Pemeriksaan"),
    ShowChecks => ("Show checks", "Tampilkan pemeriksaan"),
    HideChecks => ("Hide checks", "Sembunyikan pemeriksaan"),
    /// Counts of check outcomes: `{success}` and `{failure}` numbers, `{warnings}` a counted noun.
    CheckCounts => (
        "{success} passed, {warnings}, {failure} failed",
        "{success} lulus, {warnings}, {failure} gagal"
    ),
    /// `{age}` is a duration.
    Ago => ("{age} ago", "{age} lalu"),
    Loading => ("Loading…", "Memuat…"),
    EmptyTasks => (
        "This instance has no migration tasks on this page.",
        "Instans ini tidak memiliki tugas migrasi di halaman ini."
    ),
    EmptyPrechecks => (
        "This instance has no precheck reports on this page.",
        "Instans ini tidak memiliki laporan prapemeriksaan di halaman ini."
    ),
    EmptyFiltered => (
        "Nothing matches these filters.",
        "Tidak ada yang cocok dengan filter ini."
    ),
    /// `{total}` is the number of rows, `{page}` and `{pages}` the page and page count.
    TotalTasks => (
        "{total} in total · page {page} of {pages}",
        "Total {total} · halaman {page} dari {pages}"
    ),
    Pagination => ("Pages", "Halaman"),
    PrevPage => ("Previous page", "Halaman sebelumnya"),
    NextPage => ("Next page", "Halaman berikutnya"),
    FirstPage => ("First page", "Halaman pertama"),
    NotGiven => ("not given", "tidak ada"),
    /// `{n}` of 6 and the stage's name.
    StageProgress => ("Stage {n} of 6: {stage}", "Tahap {n} dari 6: {stage}"),
    /// `{value}` is a wire value the app does not know.
    UnknownValue => ("unknown value “{value}”", "nilai tak dikenal “{value}”"),

    // Refresh
    RefreshNow => ("Refresh now", "Segarkan sekarang"),
    AutoRefresh => ("Auto-refresh", "Segarkan otomatis"),
    RefreshOff => ("Off", "Mati"),
    /// `{n}` seconds.
    EverySeconds => ("Every {n} s", "Setiap {n} dtk"),
    PauseRefresh => ("Pause", "Jeda"),
    PausedRefresh => ("Paused: resume", "Dijeda: lanjutkan"),
    /// `{time}` is a local time of day, `{age}` how long ago (`3 min ago`).
    LastUpdated => ("Updated {time}, {age}", "Diperbarui {time}, {age}"),
    StaleBadge => ("Stale", "Usang"),
    /// `{age}` is a span of time.
    StaleNotice => (
        "The cloud service did not answer: showing a saved answer from {age} ago.",
        "Layanan cloud tidak menjawab: menampilkan jawaban tersimpan dari {age} lalu."
    ),
    /// `{time}` is a local time of day.
    AnnounceUpdated => ("Updated at {time}.", "Diperbarui pukul {time}."),
    /// `{message}` is the plain-language error, `{time}` when the data shown arrived.
    AnnounceFailed => (
        "Refresh failed: {message} Still showing the data from {time}.",
        "Penyegaran gagal: {message} Masih menampilkan data dari pukul {time}."
    ),
    /// `{message}` is the plain-language error.
    AnnounceLoadFailed => ("Loading failed: {message}", "Gagal memuat: {message}"),
    /// `{time}` is when the data shown arrived.
    RefreshFailedHeading => (
        "Could not refresh: showing the data from {time}",
        "Tidak dapat menyegarkan: menampilkan data dari pukul {time}"
    ),

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
    ErrorRetryable => (
        "A temporary problem stopped the request; try again shortly.",
        "Masalah sementara menghentikan permintaan; coba lagi sebentar lagi."
    ),
    ErrorThrottled => (
        "Too many requests; wait a moment and try again.",
        "Terlalu banyak permintaan; tunggu sebentar lalu coba lagi."
    ),
    ErrorClient => (
        "The request could not be carried out; check what was asked for.",
        "Permintaan tidak dapat dijalankan; periksa apa yang diminta."
    ),
    ErrorAuth => (
        "Access was refused; check your permissions or the proxy's credentials.",
        "Akses ditolak; periksa izin Anda atau kredensial proxy."
    ),
    ErrorServer => (
        "The service had an error; try again later.",
        "Layanan mengalami kesalahan; coba lagi nanti."
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

    // Task page
    /// `{id}` is the task ID.
    TaskHeading => ("Task {id}", "Tugas {id}"),
    TaskNotFound => (
        "The service returned no task with this ID for this instance.",
        "Layanan tidak mengembalikan tugas dengan ID ini untuk instans ini."
    ),
    TaskIdInvalid => ("This task ID is not a number.", "ID tugas ini bukan angka."),
    SummaryHeading => ("Summary", "Ringkasan"),
    FieldSourceAddress => ("Source address", "Alamat sumber"),
    FieldSourceCategory => ("Source type", "Jenis sumber"),
    FieldSourceAccount => ("Source account", "Akun sumber"),
    FieldTarget => ("Target instance", "Instans tujuan"),
    TimelineHeading => ("Stage timeline", "Lini masa tahap"),
    TimelineNote => (
        "Times come from the task log (which gives no time zone: read as UTC+08:00) or, where marked, from the task's own fields or from the watcher's polls (a range: the change came between two polls).",
        "Waktu berasal dari log tugas (tanpa zona waktu: dibaca sebagai UTC+08:00) atau, jika ditandai, dari kolom tugas itu sendiri atau dari polling pemantau (sebuah rentang: perubahan terjadi di antara dua polling)."
    ),
    StepDone => ("done", "selesai"),
    StepCurrent => ("current stage", "tahap saat ini"),
    StepUpcoming => ("not reached", "belum dicapai"),
    StartedAt => ("started", "mulai"),
    /// `{duration}` is a span of time.
    TookDuration => ("took {duration}", "berlangsung {duration}"),
    /// `{duration}` is a span of time.
    RunningFor => ("running for {duration}", "berjalan {duration}"),
    /// `{min}` and `{max}` are spans of time.
    RunningBetween => ("running for {min} to {max}", "berjalan {min} sampai {max}"),
    /// `{after}` and `{at}` are times: the watcher's polls around a stage change.
    ObservedBetween => (
        "between {after} and {at} (observed by the watcher)",
        "antara {after} dan {at} (teramati oleh pemantau)"
    ),
    // Names of the service's values and of the model's verdicts (src/verdicts.rs).
    StagePrecheck => ("Precheck", "Prapemeriksaan"),
    StageBasebackup => ("Full backup", "Pencadangan penuh"),
    StageStartup => ("Link setup", "Penyiapan tautan"),
    StageIncrement => ("Incremental sync", "Sinkronisasi inkremental"),
    StageSwitch => ("Switchover", "Peralihan"),
    StageSuccess => ("Completed", "Selesai"),
    StateUnstarted => ("Not started", "Belum dimulai"),
    StateCatchup => ("Catching up", "Sedang menyusul"),
    StateStreaming => ("Streaming", "Streaming"),
    StateDisconnect => ("Disconnected", "Terputus"),
    StateFinish => ("Finished", "Selesai"),
    CategoryIdcOnVpc => (
        "Self-managed PostgreSQL in a data center (IDC) connected to the VPC",
        "PostgreSQL yang dikelola sendiri di IDC (terhubung ke VPC)"
    ),
    CategoryEcsOnVpc => (
        "Self-managed PostgreSQL on Alibaba Cloud ECS",
        "PostgreSQL yang dikelola sendiri di Alibaba Cloud ECS"
    ),
    HealthHealthy => ("Healthy", "Sehat"),
    HealthLagging => ("Lagging", "Tertinggal"),
    HealthStalled => ("Stale stream", "Aliran macet"),
    HealthDisconnected => ("Disconnected", "Terputus"),
    HealthFinished => ("Finished", "Selesai"),
    HealthUnknown => ("Unknown", "Tidak diketahui"),
    VerdictPassed => ("Passed", "Lulus"),
    VerdictPassedWithWarnings => ("Passed with warnings", "Lulus dengan peringatan"),
    VerdictFailed => ("Failed", "Gagal"),
    VerdictInconclusive => ("Inconclusive", "Tidak dapat disimpulkan"),
    VerdictNotRun => ("No checks yet", "Belum ada pemeriksaan"),
    VerdictInProgress => ("In progress", "Sedang berjalan"),
    OutcomeSuccess => ("Passed", "Lulus"),
    OutcomeWarning => ("Warning", "Peringatan"),
    OutcomeFailure => ("Failed", "Gagal"),
    OutcomeOther => ("Unclear result", "Hasil tidak jelas"),
    // Verdicts (src/verdicts.rs): each sentence states the figures it judged.
    FigureUnknown => ("unknown", "tidak diketahui"),
    AtUnknownTime => ("at an unknown time", "pada waktu yang tidak diketahui"),
    /// `{last}` is an age (`3 s ago`).
    HealthSentenceReplayed => (
        "Streaming: everything received has been replayed; last message {last}.",
        "Streaming: semua yang diterima sudah diterapkan; pesan terakhir {last}."
    ),
    /// `{a}`, `{b}` and `{limit}` are byte figures, `{last}` an age.
    HealthSentenceWithin => (
        "Streaming: {a} received but not yet replayed, {b} behind the source's last report, within the {limit} lag threshold; last message {last}.",
        "Streaming: {a} sudah diterima tetapi belum diterapkan, {b} di belakang laporan terakhir sumber, masih dalam ambang ketertinggalan {limit}; pesan terakhir {last}."
    ),
    /// `{a}`, `{b}` byte figures, `{last}` an age.
    HealthSentenceCatchup => (
        "Catching up: {a} received but not yet replayed, {b} behind the source's last report; last message {last}.",
        "Sedang menyusul: {a} sudah diterima tetapi belum diterapkan, {b} di belakang laporan terakhir sumber; pesan terakhir {last}."
    ),
    /// `{a}`, `{b}` and `{limit}` are byte figures.
    HealthSentenceLagging => (
        "Lagging: {a} received but not yet replayed, {b} behind the source's last report, above the {limit} lag threshold.",
        "Tertinggal: {a} sudah diterima tetapi belum diterapkan, {b} di belakang laporan terakhir sumber, melebihi ambang ketertinggalan {limit}."
    ),
    /// `{age}` and `{limit}` are spans of time.
    HealthSentenceStale => (
        "Stale stream: no message from the source for {age} (threshold {limit}).",
        "Aliran macet: tidak ada pesan dari sumber selama {age} (ambang {limit})."
    ),
    HealthSentenceDown => ("The replication link is down.", "Tautan replikasi terputus."),
    HealthSentenceFinished => ("Replication has finished.", "Replikasi sudah selesai."),
    /// `{why}` says what is missing.
    HealthSentenceUnknown => ("Not enough data to judge: {why}.", "Data tidak cukup untuk menilai: {why}."),
    UnknownNotStarted => ("replication has not started", "replikasi belum dimulai"),
    UnknownNoInfo => ("no replication information", "informasi replikasi tidak tersedia"),
    UnknownLastMessage => ("the time of the last message is unknown", "waktu pesan terakhir tidak diketahui"),
    UnknownLag => (
        "a lag figure cannot be worked out (LSN missing or a placeholder)",
        "angka ketertinggalan tidak dapat dihitung (LSN kosong atau placeholder)"
    ),
    UnknownNotStreaming => ("the link is not streaming", "tautan tidak sedang streaming"),
    /// `{time}` is a UTC time.
    SwitchedOverAt => ("Switched over at {time}.", "Sudah beralih pada {time}."),
    SwitchedOver => (
        "Switched over (the service gave no SwitchTime).",
        "Sudah beralih (layanan tidak memberi SwitchTime)."
    ),
    /// `{time}` is a UTC time.
    SwitchingAt => ("Switching over (SwitchTime {time}).", "Sedang beralih (SwitchTime {time})."),
    Switching => ("Switching over.", "Sedang beralih."),
    ReadyOnThisSample => ("Ready to switch over on this sample.", "Siap beralih pada sampel ini."),
    /// `{duration}` a span of time, `{samples}` a counted noun.
    ReadyFor => ("Ready to switch over for {duration} ({samples}).", "Siap beralih selama {duration} ({samples})."),
    NotReadyToSwitch => ("Not ready to switch over.", "Belum siap beralih."),
    /// `{duration}` a span of time: certain from the watcher's history.
    ReadyForLast => (
        "Ready to switch over for the last {duration}, by the watcher's history.",
        "Siap beralih selama {duration} terakhir, menurut riwayat pemantau."
    ),
    /// `{duration}` a span of time: the history starts ready, so it may be longer.
    ReadyForAtLeast => (
        "Ready to switch over for at least the last {duration}, by the watcher's history.",
        "Siap beralih sedikitnya selama {duration} terakhir, menurut riwayat pemantau."
    ),
    /// `{n}` is a number (singular).
    SampleOne => ("{n} sample", "{n} sampel"),
    /// `{n}` is a number.
    SampleOther => ("{n} samples", "{n} sampel"),
    /// `{n}` is a number (singular).
    CheckOne => ("{n} check", "{n} pemeriksaan"),
    /// `{n}` is a number.
    CheckOther => ("{n} checks", "{n} pemeriksaan"),
    /// `{n}` is a number (singular).
    WarningOne => ("{n} warning", "{n} peringatan"),
    /// `{n}` is a number.
    WarningOther => ("{n} warnings", "{n} peringatan"),
    PrecheckNotRunSentence => ("No checks have run yet.", "Belum ada pemeriksaan yang berjalan."),
    /// `{checks}` is a counted noun.
    PrecheckInProgress => (
        "In progress: {checks} so far, none failed.",
        "Sedang berjalan: {checks} sejauh ini, tidak ada yang gagal."
    ),
    /// `{checks}` and `{warnings}` are counted nouns.
    PrecheckInProgressWarnings => (
        "In progress: {checks} so far, none failed ({warnings}).",
        "Sedang berjalan: {checks} sejauh ini, tidak ada yang gagal ({warnings})."
    ),
    /// `{checks}` is a counted noun.
    PrecheckPassedSentence => ("Passed: {checks} passed.", "Lulus: {checks} lulus."),
    /// `{warnings}`, `{checks}` counted nouns, `{passed}` a number.
    PrecheckPassedWarnings => (
        "Passed with {warnings}: {passed} of {checks} passed.",
        "Lulus dengan {warnings}: {passed} dari {checks} lulus."
    ),
    /// `{checks}` is a counted noun.
    PrecheckInconclusive => (
        "Inconclusive: {checks} with an unclear result, none failed.",
        "Tidak dapat disimpulkan: {checks} dengan hasil tidak jelas, tidak ada yang gagal."
    ),
    /// `{check}` the failed check, `{passed}` and `{failed}` numbers, `{rest}` [`Key::RestDidNotRun`] or nothing.
    PrecheckFailedAt => (
        "Failed at {check}: {passed} passed, {failed} failed{rest}.",
        "Gagal pada {check}: {passed} lulus, {failed} gagal{rest}."
    ),
    /// As [`Key::PrecheckFailedAt`], without a check (`{check}` is empty).
    PrecheckFailedSentence => (
        "Failed{check}: {passed} passed, {failed} failed{rest}.",
        "Gagal{check}: {passed} lulus, {failed} gagal{rest}."
    ),
    RestDidNotRun => (", the rest did not run", ", sisanya tidak dijalankan"),
    ConcernPrecheckFailed => ("Precheck failed", "Prapemeriksaan gagal"),
    ConcernDisconnected => ("Disconnected", "Terputus"),
    ConcernStale => ("Stale stream", "Aliran macet"),
    ConcernLagHigh => ("Lag high", "Ketertinggalan tinggi"),
    ConcernUnknown => ("Replication unknown", "Replikasi tidak diketahui"),
    /// `{check}` the failed check, `{rest}` [`Key::RestDidNotRun`] or nothing.
    ConcernPrecheckFailedAt => ("The precheck failed at {check}{rest}.", "Prapemeriksaan gagal pada {check}{rest}."),
    /// `{rest}` is [`Key::RestDidNotRun`] or nothing.
    ConcernPrecheckFailedSentence => ("The precheck failed{rest}.", "Prapemeriksaan gagal{rest}."),
    /// `{age}` and `{limit}` are spans of time.
    ConcernStaleSentence => (
        "No message from the source for {age} (threshold {limit}).",
        "Tidak ada pesan dari sumber selama {age} (ambang {limit})."
    ),
    /// `{a}`, `{b}` and `{limit}` are byte figures.
    ConcernLagSentence => (
        "{a} not yet replayed, {b} behind the source's last report (threshold {limit}).",
        "{a} belum diterapkan, {b} di belakang laporan terakhir sumber (ambang {limit})."
    ),
    ConcernUnknownSentence => ("The replication figures cannot be read.", "Angka replikasi tidak dapat dibaca."),
    /// `{now}` is the stage's name.
    MissingStage => (
        "The task is not in incremental sync (stage now: {now}).",
        "Tugas tidak sedang dalam sinkronisasi inkremental (tahap saat ini: {now})."
    ),
    /// `{now}` is the state's name.
    MissingState => (
        "Replication is not streaming (state now: {now}).",
        "Replikasi tidak sedang streaming (status saat ini: {now})."
    ),
    MissingNoInfo => ("No replication information is available.", "Informasi replikasi tidak tersedia."),
    MissingNotReplayedUnknown => (
        "The amount not yet replayed cannot be worked out (LSN missing or a placeholder).",
        "Jumlah yang belum diterapkan tidak dapat dihitung (LSN kosong atau placeholder)."
    ),
    /// `{bytes}` is a byte figure.
    MissingNotReplayed => (
        "{bytes} received but not yet replayed (must be 0).",
        "{bytes} sudah diterima tetapi belum diterapkan (harus 0)."
    ),
    MissingBehindUnknown => (
        "The distance behind the source's last report cannot be worked out (LSN missing or a placeholder).",
        "Selisih terhadap laporan terakhir sumber tidak dapat dihitung (LSN kosong atau placeholder)."
    ),
    /// `{bytes}` is a byte figure.
    MissingBehind => (
        "{bytes} behind the source's last report (must be 0).",
        "{bytes} di belakang laporan terakhir sumber (harus 0)."
    ),
    MissingLastUnknown => (
        "The time of the last message from the source is unknown.",
        "Waktu pesan terakhir dari sumber tidak diketahui."
    ),
    /// `{age}` is an age, `{limit}` a span of time.
    MissingLastStale => (
        "The last message from the source was {age} (recent means within {limit}).",
        "Pesan terakhir dari sumber diterima {age} (baru berarti dalam {limit})."
    ),
    NoStartTime => ("start time not known", "waktu mulai tidak diketahui"),
    StepFailed => ("failed", "gagal"),
    EndedAt => ("ended", "berakhir"),
    /// `{total}` is a byte count.
    BackupStarted => ("full backup started ({total})", "pencadangan penuh dimulai ({total})"),
    BackupStartedPlain => ("full backup started", "pencadangan penuh dimulai"),
    /// `{percent}` like `20 %`, `{done}` and `{total}` byte counts.
    BackupProgress => ("{percent}: {done} of {total}", "{percent}: {done} dari {total}"),
    /// `{percent}` like `20 %`.
    BackupProgressPlain => ("{percent} done", "{percent} selesai"),
    /// `{total}` is a byte count.
    BackupFinished => ("full backup finished ({total})", "pencadangan penuh selesai ({total})"),
    BackupFinishedPlain => ("full backup finished", "pencadangan penuh selesai"),
    ChecklistHeading => ("Precheck", "Prapemeriksaan"),
    /// `{verdict}` is the precheck's overall result.
    ChecklistVerdict => ("Result: {verdict}", "Hasil: {verdict}"),
    NoChecks => ("The log holds no checks yet.", "Log belum memuat pemeriksaan."),
    CheckAssumed => (
        "Read by keyword: the service has not documented failing results.",
        "Dibaca dari kata kunci: layanan belum mendokumentasikan hasil gagal."
    ),
    UnparsedHeading => ("Log lines not understood", "Baris log yang tidak dipahami"),
    ReplicationHeading => ("Replication", "Replikasi"),
    ReceiverStatus => ("Receiver status", "Status penerima"),
    LsnReceiveStart => ("Receiving started at", "Penerimaan dimulai pada"),
    LsnReceived => ("Received up to", "Diterima hingga"),
    LsnLatestEnd => ("Source's last report", "Laporan terakhir sumber"),
    LsnReplay => ("Replayed up to", "Diterapkan hingga"),
    LagNotReplayed => (
        "Not yet replayed (received − replayed)",
        "Belum diterapkan (diterima − diterapkan)"
    ),
    LagBehindSource => (
        "Behind the source's last report (reported − replayed)",
        "Di belakang laporan terakhir sumber (dilaporkan − diterapkan)"
    ),
    ReplayLagService => (
        "ReplayLag, the service's own figure (unit not documented)",
        "ReplayLag, angka dari layanan (satuan tidak didokumentasikan)"
    ),
    SinceLastMessage => ("Since the last message from the source", "Sejak pesan terakhir dari sumber"),
    HealthLabel => ("Health", "Kesehatan"),
    NoReplicationInfo => (
        "The service gave no replication information for this task.",
        "Layanan tidak memberikan informasi replikasi untuk tugas ini."
    ),
    /// `{detail}` is the parser's message.
    ReplicationUnreadable => (
        "The replication information could not be read: {detail}",
        "Informasi replikasi tidak dapat dibaca: {detail}"
    ),
    Conninfo => ("Connection string (password masked)", "String koneksi (kata sandi disamarkan)"),
    ChartHeading => ("Lag across this page's refreshes", "Ketertinggalan selama penyegaran halaman ini"),
    ChartEmpty => (
        "The chart fills in as the page refreshes.",
        "Grafik terisi seiring halaman disegarkan."
    ),
    /// `{samples}` a counted noun, latest figures `{a}` and `{b}`.
    ChartSummary => (
        "{samples}. Latest: {a} not yet replayed, {b} behind the source's last report.",
        "{samples}. Terbaru: {a} belum diterapkan, {b} di belakang laporan terakhir sumber."
    ),
    LegendNotReplayed => ("not yet replayed", "belum diterapkan"),
    LegendBehindSource => ("behind the source's report", "di belakang laporan sumber"),
    ReadinessHeading => ("Switch readiness", "Kesiapan peralihan"),
    StillMissing => ("Still missing:", "Yang masih kurang:"),
    ReadinessNote => (
        "This dashboard only reports readiness; the switchover itself is started in the RDS console.",
        "Dasbor ini hanya melaporkan kesiapan; peralihan dimulai di konsol RDS."
    ),
    RawHeading => ("Raw JSON", "JSON mentah"),
    RawNote => (
        "The task as the proxy returned it (passwords removed).",
        "Tugas seperti yang dikembalikan proxy (kata sandi dihapus)."
    ),
    CopyJson => ("Copy JSON", "Salin JSON"),
    Copied => ("Copied", "Tersalin"),
    CopyFailed => (
        "Copying failed: select the text and copy it.",
        "Gagal menyalin: pilih teksnya lalu salin."
    ),

    // Advice for precheck checks that warn or fail (see hints.rs)
    HintGlibc => (
        "The source's glibc differs from the one RDS uses, so text may sort differently (collations). After the migration, rebuild indexes on text columns (REINDEX) or verify them with amcheck.",
        "glibc sumber berbeda dengan yang dipakai RDS, sehingga urutan teks (collation) bisa berbeda. Setelah migrasi, bangun ulang indeks pada kolom teks (REINDEX) atau periksa dengan amcheck."
    ),
    HintDisk => (
        "The RDS instance has less storage than the source's data needs. Expand the instance's storage, then run the precheck again.",
        "Penyimpanan instans RDS lebih kecil dari kebutuhan data sumber. Perbesar penyimpanan instans, lalu jalankan prapemeriksaan lagi."
    ),
    HintReplicationPrivilege => (
        "The source account may not replicate. On the source run: ALTER ROLE <account> REPLICATION; and allow replication connections for it in pg_hba.conf.",
        "Akun sumber tidak boleh melakukan replikasi. Di sumber jalankan: ALTER ROLE <akun> REPLICATION; dan izinkan koneksi replikasi untuknya di pg_hba.conf."
    ),
    HintCreaterole => (
        "The source account needs CREATEROLE. On the source run: ALTER ROLE <account> CREATEROLE;",
        "Akun sumber memerlukan CREATEROLE. Di sumber jalankan: ALTER ROLE <akun> CREATEROLE;"
    ),
    HintMonitor => (
        "The source account needs the monitoring role. On the source run: GRANT pg_monitor TO <account>;",
        "Akun sumber memerlukan peran pemantauan. Di sumber jalankan: GRANT pg_monitor TO <akun>;"
    ),
    HintMajorVersion => (
        "The source and the RDS instance run different PostgreSQL major versions. Use an RDS instance with the source's major version.",
        "Versi mayor PostgreSQL sumber dan instans RDS berbeda. Gunakan instans RDS dengan versi mayor yang sama dengan sumber."
    ),
    HintIp => (
        "RDS cannot reach the source's address. Check the VPC and vSwitch, the security group and the source's firewall: the source must accept connections from the RDS instance's network.",
        "RDS tidak dapat menjangkau alamat sumber. Periksa VPC dan vSwitch, grup keamanan, dan firewall sumber: sumber harus menerima koneksi dari jaringan instans RDS."
    ),
    HintPort => (
        "Nothing answers on the source's port. Check that PostgreSQL listens there (listen_addresses, port) and that firewalls let RDS through.",
        "Tidak ada yang menjawab di port sumber. Pastikan PostgreSQL mendengarkan di sana (listen_addresses, port) dan firewall mengizinkan RDS."
    ),
    HintDatabaseConnectable => (
        "RDS could not log in to the source. Check the account's password and that pg_hba.conf admits the RDS network for this account.",
        "RDS tidak dapat masuk ke sumber. Periksa kata sandi akun dan pastikan pg_hba.conf mengizinkan jaringan RDS untuk akun ini."
    ),
    HintRdsDatabases => (
        "The RDS instance must not hold user databases before the migration. Remove them, or use an empty instance.",
        "Instans RDS tidak boleh berisi basis data pengguna sebelum migrasi. Hapus basis data itu, atau gunakan instans kosong."
    ),
    HintWalKeep => (
        "The source keeps too little WAL for RDS to catch up after the full backup. Raise wal_keep_size (PostgreSQL 13 and later) or wal_keep_segments on the source.",
        "Sumber menyimpan WAL terlalu sedikit agar RDS dapat menyusul setelah pencadangan penuh. Naikkan wal_keep_size (PostgreSQL 13 ke atas) atau wal_keep_segments di sumber."
    ),
    HintSpecParams => (
        "Some source parameters (such as max_connections) exceed what the RDS instance class allows. Lower them on the source, or choose a larger instance class.",
        "Beberapa parameter sumber (misalnya max_connections) melebihi batas kelas instans RDS. Turunkan di sumber, atau pilih kelas instans yang lebih besar."
    ),
    HintTriggers => (
        "Some triggers on the source may not work on RDS. Review them (for example triggers calling untrusted languages) before switching over.",
        "Beberapa trigger di sumber mungkin tidak berjalan di RDS. Tinjau trigger tersebut (misalnya yang memanggil bahasa tidak tepercaya) sebelum peralihan."
    ),
    HintFunctions => (
        "Some user functions may not work on RDS (C-language functions, extensions RDS does not offer). Review them before switching over.",
        "Beberapa fungsi pengguna mungkin tidak berjalan di RDS (fungsi bahasa C, ekstensi yang tidak tersedia di RDS). Tinjau sebelum peralihan."
    ),
    HintGeneric => (
        "No specific advice for this check: read the service's message, fix the source or the instance, then run the precheck again.",
        "Tidak ada saran khusus untuk pemeriksaan ini: baca pesan layanan, perbaiki sumber atau instans, lalu jalankan prapemeriksaan lagi."
    ),

    // History (task page, instance page, watch page)
    HistoryHeading => ("History", "Riwayat"),
    HistoryRangeLabel => ("Range", "Rentang"),
    Range1h => ("1 h", "1 jam"),
    Range6h => ("6 h", "6 jam"),
    Range24h => ("24 h", "24 jam"),
    Range7d => ("7 d", "7 hari"),
    RangeAll => ("All", "Semua"),
    HistoryLoading => ("Loading history…", "Memuat riwayat…"),
    HistoryNotConfigured => (
        "This proxy keeps no history, so only live figures are shown.",
        "Proxy ini tidak menyimpan riwayat, jadi hanya angka langsung yang ditampilkan."
    ),
    HistoryUnavailable => (
        "History is unavailable right now (its store is not answering). Live figures are not affected.",
        "Riwayat sedang tidak tersedia (penyimpanannya tidak menjawab). Angka langsung tidak terpengaruh."
    ),
    HistoryNotWatched => (
        "Not watched yet: history starts once this instance is watched. Live figures are shown.",
        "Belum dipantau: riwayat dimulai setelah instans ini dipantau. Angka langsung tetap ditampilkan."
    ),
    /// `{error}` is the technical reason.
    HistoryError => ("History could not be loaded: {error}", "Riwayat tidak dapat dimuat: {error}"),
    HistoryEmptyRange => ("No samples in this range.", "Tidak ada sampel dalam rentang ini."),
    /// `{points}` drawn and `{samples}` kept, both counted nouns.
    HistoryChartSummary => (
        "{points} drawn from {samples} kept; the band shows each point's least and greatest lag.",
        "{points} digambar dari {samples} tersimpan; pita menunjukkan ketertinggalan terkecil dan terbesar tiap titik."
    ),
    /// `{n}` is a number (singular).
    PointOne => ("{n} point", "{n} titik"),
    /// `{n}` is a number.
    PointOther => ("{n} points", "{n} titik"),
    HistoryChartLabel => ("Lag not yet replayed over time", "Ketertinggalan yang belum diputar ulang dari waktu ke waktu"),
    LegendStageChange => ("Stage change", "Perubahan tahap"),
    LegendDisconnect => ("Disconnected", "Terputus"),
    CatchUpHeading => ("Catch-up", "Pengejaran"),
    /// `{rate}` bytes per second, `{eta}` a duration.
    CatchUpShrinking => (
        "Lag is shrinking by {rate} per second: at this rate it reaches zero in about {eta}.",
        "Ketertinggalan menyusut {rate} per detik: dengan laju ini mencapai nol dalam sekitar {eta}."
    ),
    CatchUpGrowing => (
        "Lag is growing by {rate} per second: it is not catching up, so there is no estimate.",
        "Ketertinggalan bertambah {rate} per detik: tidak mengejar, jadi tidak ada perkiraan."
    ),
    CatchUpFlat => (
        "Lag is flat at {lag}: there is no estimate of when it reaches zero.",
        "Ketertinggalan tetap di {lag}: tidak ada perkiraan kapan mencapai nol."
    ),
    CatchUpCaughtUp => ("Caught up: nothing is waiting to be replayed.", "Sudah terkejar: tidak ada yang menunggu diputar ulang."),
    /// `{samples}` a counted noun, over `{span}`.
    CatchUpNotEnough => (
        "Not enough data for a trend yet ({samples} over {span} in the last 15 minutes).",
        "Data belum cukup untuk tren ({samples} selama {span} dalam 15 menit terakhir)."
    ),
    /// `{duration}` of the longest disconnect.
    LongestDisconnect => ("Longest disconnect in this range: {duration}.", "Pemutusan terlama dalam rentang ini: {duration}."),
    EventsHeading => ("Event log", "Log peristiwa"),
    EventsEmpty => ("No events in this range.", "Tidak ada peristiwa dalam rentang ini."),
    EventsColObserved => ("Observed", "Teramati"),
    EventsColEvent => ("Event", "Peristiwa"),
    EventsColDetail => ("Detail", "Rincian"),
    /// `{after}` is the previous poll's time.
    EventsAfter => ("after {after}", "setelah {after}"),
    /// `{min}` and `{max}` are durations.
    DurationBetween => ("lasted {min} to {max}", "berlangsung {min} sampai {max}"),
    DurationAtLeast => ("lasted at least {min}", "berlangsung sedikitnya {min}"),
    EvTaskAppeared => ("Task appeared", "Tugas muncul"),
    EvTaskVanished => ("Task vanished", "Tugas hilang"),
    EvStageChanged => ("Stage changed", "Tahap berubah"),
    EvStateChanged => ("Replication state changed", "Status replikasi berubah"),
    EvDisconnectBegan => ("Disconnect began", "Pemutusan dimulai"),
    EvDisconnectEnded => ("Disconnect ended", "Pemutusan berakhir"),
    EvDetailLine => ("New log line", "Baris log baru"),
    EvPrecheckReport => ("Precheck report", "Laporan prapemeriksaan"),
    EvReadinessChanged => ("Switch readiness changed", "Kesiapan peralihan berubah"),
    EvPollFailing => ("Polls failing", "Polling gagal"),
    EvPollRecovered => ("Polls recovered", "Polling pulih"),
    ExportCsv => ("Export CSV", "Ekspor CSV"),
    ExportJson => ("Export JSON", "Ekspor JSON"),
    ColHistory => ("Last hour", "Satu jam terakhir"),
    ChangedSinceVisit => ("Changed since your last visit", "Berubah sejak kunjungan terakhir Anda"),
    ChangedMark => ("changed", "berubah"),
    /// `{max}` is the largest lag.
    SparklineLabel => ("Lag over the last hour, at most {max}", "Ketertinggalan selama satu jam terakhir, paling banyak {max}"),
    NoSparkline => ("no history", "tanpa riwayat"),
    NavWatch => ("Watch list", "Daftar pantauan"),
    WatchHeading => ("Watched instances", "Instans yang dipantau"),
    WatchIntro => (
        "The proxy polls these instances in the background and keeps their history.",
        "Proxy memantau instans ini di latar belakang dan menyimpan riwayatnya."
    ),
    WatchCaption => ("Watched instances and their last poll", "Instans yang dipantau dan polling terakhirnya"),
    WatchColInstance => ("Instance", "Nama instans"),
    WatchColRegion => ("Region", "Wilayah"),
    WatchColWhy => ("Watched because", "Dipantau karena"),
    WatchColAdded => ("Since", "Sejak"),
    WatchColLastData => ("Last poll with data", "Polling terakhir dengan data"),
    WatchColActions => ("Actions", "Tindakan"),
    WatchSourceConfig => ("configured (--watch)", "dikonfigurasi (--watch)"),
    WatchSourceDemo => ("demo instance", "instans demo"),
    /// `{who}` added it.
    WatchSourceAdmin => ("added by {who}", "ditambahkan oleh {who}"),
    /// `{who}` opened it.
    WatchSourceAuto => ("opened by {who}", "dibuka oleh {who}"),
    WatchSomeone => ("someone", "seseorang"),
    WatchNever => ("not yet", "belum"),
    WatchEmpty => ("Nothing is watched yet.", "Belum ada yang dipantau."),
    WatchRemove => ("Stop watching", "Berhenti memantau"),
    WatchAddHeading => ("Watch an instance", "Pantau instans"),
    WatchRegionLabel => ("Region ID", "ID wilayah"),
    WatchInstanceLabel => ("Instance ID", "ID instans"),
    WatchAdd => ("Watch", "Pantau"),
    WatchReadOnly => (
        "Only members of the admin group can add or remove watched instances.",
        "Hanya anggota grup admin yang dapat menambah atau menghapus instans yang dipantau."
    ),
    /// `{error}` is the reason.
    WatchChangeFailed => ("The change was refused: {error}", "Perubahan ditolak: {error}"),
    WatchBadInput => ("Enter a region ID and an instance ID.", "Masukkan ID wilayah dan ID instans."),

    // Alerts: the attention view, a task's episodes and the alerts page
    NavAlerts => ("Alerts", "Notifikasi"),
    AlertKindStageChanged => ("Stage changed", "Tahap berubah"),
    AlertKindSucceeded => ("Migration succeeded", "Migrasi berhasil"),
    AlertKindDisconnected => ("Disconnected", "Terputus"),
    AlertKindStreamStale => ("No message from the source", "Tidak ada pesan dari sumber"),
    AlertKindLagHigh => ("Lag high", "Ketertinggalan tinggi"),
    AlertKindLagGrowing => ("Lag growing", "Ketertinggalan bertambah"),
    AlertKindPrecheckFailed => ("Precheck failed", "Prapemeriksaan gagal"),
    AlertKindPrecheckWarning => ("Precheck warning", "Prapemeriksaan dengan peringatan"),
    AlertKindSwitchReady => ("Ready to switch over", "Siap beralih"),
    AlertKindWatchFailing => ("Polls failing", "Polling gagal"),
    SeverityCritical => ("Critical", "Kritis"),
    SeverityWarning => ("Warning", "Peringatan"),
    SeverityInfo => ("Info", "Informasi"),
    EpisodeFiring => ("Firing", "Aktif"),
    EpisodeResolved => ("Resolved", "Teratasi"),
    EpisodeNotified => ("Notified", "Diberitahukan"),
    EpisodeStillFiring => ("still firing", "masih aktif"),
    DeliveryPending => ("Pending", "Menunggu dikirim"),
    DeliverySent => ("Sent", "Terkirim"),
    DeliveryFailed => ("Given up", "Dihentikan"),
    AlertEventFire => ("Fired", "Mulai aktif"),
    AlertEventRepeat => ("Reminder", "Pengingat"),
    AlertEventResolve => ("Resolved", "Teratasi"),
    DestWebhook => ("Webhook (Standard Webhooks)", "Webhook (Standard Webhooks)"),
    DestSlack => ("Slack", "Slack"),
    DestDingtalk => ("DingTalk", "DingTalk"),
    DestLark => ("Lark / Feishu", "Lark / Feishu"),
    DestWecom => ("WeCom", "WeCom"),
    AlertColSeverity => ("Severity", "Tingkat keparahan"),
    AlertColKind => ("Alert", "Jenis notifikasi"),
    AlertColStatus => ("Status", "Keadaan"),
    AlertColStarted => ("Started", "Dimulai"),
    AlertColEnded => ("Ended", "Berakhir"),
    AttentionHeading => ("Firing alerts", "Notifikasi aktif"),
    AttentionFiringCaption => (
        "Tasks with firing alerts, worst first",
        "Tugas dengan notifikasi aktif, yang terparah lebih dulu"
    ),
    AttentionNoneFiring => ("No alert is firing.", "Tidak ada notifikasi yang aktif."),
    AttentionInstancesHeading => ("Every watched instance", "Semua instans yang dipantau"),
    AttentionWholeInstance => ("the whole instance", "seluruh instans"),
    AttentionColTask => ("Task", "Tugas"),
    AttentionColTasks => ("Tasks", "Jumlah tugas"),
    AttentionColByStage => ("By stage", "Per tahap"),
    AttentionColByState => ("By replication state", "Per status replikasi"),
    AttentionColWorstLag => ("Worst lag", "Ketertinggalan terbesar"),
    AttentionColFiring => ("Firing", "Aktif"),
    AttentionNoData => ("no data yet", "belum ada data"),
    /// `{count}` is a number.
    AttentionMore => (
        "{count} more firing alerts are not listed; each instance's count is below.",
        "{count} notifikasi aktif lainnya tidak ditampilkan; jumlah per instans ada di bawah."
    ),
    AttentionNoHistory => (
        "This proxy keeps no history, so it watches no instance and raises no alert.",
        "Proxy ini tidak menyimpan riwayat, jadi tidak memantau instans dan tidak mengirim notifikasi."
    ),
    /// `{error}` says why.
    AttentionFailed => (
        "The watched instances could not be read: {error}",
        "Instans yang dipantau tidak dapat dibaca: {error}"
    ),
    /// `{error}` says why.
    AttentionEpisodesFailed => (
        "The firing alerts could not be read: {error}",
        "Notifikasi yang aktif tidak dapat dibaca: {error}"
    ),
    TaskAlertsHeading => ("Alerts", "Notifikasi"),
    TaskAlertsCaption => (
        "This task's alert episodes, newest first",
        "Episode notifikasi tugas ini, yang terbaru lebih dulu"
    ),
    TaskAlertsNone => ("No alert has fired for this task.", "Belum ada notifikasi untuk tugas ini."),
    TaskAlertsNoneFiring => (
        "Nothing is firing now; the earlier episodes are below.",
        "Tidak ada yang aktif sekarang; episode sebelumnya ada di bawah."
    ),
    /// `{count}` is a number.
    TaskAlertsFiring => ("Firing now: {count}", "Aktif sekarang: {count}"),
    TaskAlertsOff => (
        "Alerts need the history store, which this proxy does not keep.",
        "Notifikasi memerlukan penyimpanan riwayat, yang tidak dimiliki proxy ini."
    ),
    /// `{error}` says why.
    TaskAlertsFailed => (
        "This task's alerts could not be read: {error}",
        "Notifikasi tugas ini tidak dapat dibaca: {error}"
    ),
    AlertsHeading => ("Alerts", "Notifikasi"),
    AlertsIntro => (
        "The rules in effect and the latest messages sent. Rules and destinations come only from the proxy's alerts file: this page shows them and changes nothing.",
        "Aturan yang berlaku dan pesan terakhir yang dikirim. Aturan dan tujuan hanya berasal dari berkas notifikasi proxy: halaman ini menampilkannya tanpa mengubah apa pun."
    ),
    AlertsRulesHeading => ("Rules in effect", "Aturan yang berlaku"),
    AlertsDefaultRules => (
        "No rule is configured: the built-in rules apply.",
        "Tidak ada aturan yang dikonfigurasi: aturan bawaan berlaku."
    ),
    AlertsNotEvaluating => (
        "This proxy keeps no history, so these rules are not evaluated.",
        "Proxy ini tidak menyimpan riwayat, jadi aturan ini tidak dievaluasi."
    ),
    AlertsNoDestinations => (
        "No destination is configured: episodes are recorded, but no message is sent.",
        "Tidak ada tujuan yang dikonfigurasi: episode dicatat, tetapi tidak ada pesan yang dikirim."
    ),
    AlertsDestinationsHeading => ("Destinations", "Tujuan pengiriman"),
    AlertsDeliveriesHeading => ("Latest deliveries", "Pengiriman terakhir"),
    AlertsDeliveriesNone => ("Nothing has been sent yet.", "Belum ada yang dikirim."),
    /// `{error}` says why.
    AlertsLoadFailed => ("This could not be read: {error}", "Ini tidak dapat dibaca: {error}"),
    /// `{bytes}` is a size.
    AlertsThresholdBytes => ("over {bytes}", "lebih dari {bytes}"),
    /// `{duration}` is a length of time.
    AlertsThresholdSilence => ("no message for {duration}", "tanpa pesan selama {duration}"),
    /// `{duration}` is a length of time.
    AlertsThresholdWindow => ("rate over {duration}", "laju selama {duration}"),
    /// `{list}` is a comma-separated list.
    AlertsScopeRegions => ("regions {list}", "wilayah {list}"),
    /// `{list}` is a comma-separated list.
    AlertsScopeInstances => ("instances {list}", "instans {list}"),
    /// `{list}` is a comma-separated list.
    AlertsScopeGroups => ("groups {list}", "grup {list}"),
    AlertsScopeAll => ("every watched instance", "setiap instans yang dipantau"),
    AlertsForAtOnce => ("at once", "segera"),
    AlertsNoThreshold => ("none", "tanpa ambang"),
    /// `{duration}` is a length of time.
    AlertsEvery => ("every {duration}", "setiap {duration}"),
    AlertsNoDestination => ("no destination", "tanpa tujuan"),
    AlertsSigned => ("signed", "ditandatangani"),
    AlertsUnsigned => (
        "not signed (the URL is the credential)",
        "tidak ditandatangani (URL adalah kredensialnya)"
    ),
    AlertsColRule => ("Rule", "Aturan"),
    AlertsColThreshold => ("Threshold", "Ambang batas"),
    AlertsColFor => ("For at least", "Selama minimal"),
    AlertsColRepeat => ("Repeats", "Diulang"),
    AlertsColScope => ("Applies to", "Berlaku untuk"),
    AlertsColDestinations => ("Destinations", "Tujuan pengiriman"),
    AlertsColName => ("Name", "Nama"),
    AlertsColDestinationKind => ("Service", "Layanan"),
    AlertsColSigning => ("Signing", "Penandatanganan"),
    AlertsColQueued => ("Queued", "Diantrekan"),
    AlertsColDestination => ("Destination", "Tujuan"),
    AlertsColMessage => ("Message", "Pesan"),
    AlertsColAttempts => ("Attempts", "Percobaan"),
    AlertsColLastError => ("Last error", "Kesalahan terakhir"),

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

/// A plain message for each error code that `migration-model` catalogues (its `catalogue()`,
/// which holds the code's status and class; the words are the app's): code, English, Indonesian.
#[rustfmt::skip]
static ERROR_MESSAGES: &[(&str, &str, &str)] = &[
    ("Order.ComboInstanceNotAllowOperate", "This instance is part of a package and cannot be operated on its own.", "Instance ini bagian dari paket dan tidak dapat dioperasikan sendiri."),
    ("Price.PricingPlanResultNotFound", "No price was found for the chosen plan.", "Harga untuk paket yang dipilih tidak ditemukan."),
    ("Order.NoRealNameAuthentication", "The account has not completed real-name verification.", "Akun belum menyelesaikan verifikasi nama asli."),
    ("InsufficientAvailableQuota", "The account quota is below zero; top up the account first.", "Kuota akun kurang dari nol; isi ulang saldo akun terlebih dahulu."),
    ("CommodityServiceCalling.Exception", "The billing service could not be reached; try again shortly.", "Layanan penagihan tidak dapat dihubungi; coba lagi sebentar lagi."),
    ("RegionDissolvedEOM", "This region is being retired; new purchases are not possible here.", "Region ini akan dihentikan; pembelian baru tidak dapat dilakukan di sini."),
    ("Commodity.InvalidComponent", "The purchased component is not valid; place the order again.", "Komponen yang dibeli tidak valid; lakukan pemesanan ulang."),
    ("RegionEndTimeDissolvedAustralia", "Cloud services in Australia (Sydney) are being discontinued; the end date must be 30 September 2024 or earlier.", "Layanan cloud di Australia (Sydney) dihentikan; tanggal berakhir harus 30 September 2024 atau lebih awal."),
    ("Price.CommoditySys", "The pricing system failed; try again shortly.", "Sistem harga mengalami gangguan; coba lagi sebentar lagi."),
    ("Pay.InsufficientBalance", "The account balance is not enough.", "Saldo akun tidak mencukupi."),
    ("Order.PeriodInvalid", "The chosen subscription period is not valid.", "Periode langganan yang dipilih tidak valid."),
    ("pay.noCreditCard", "No credit card is linked to the account.", "Tidak ada kartu kredit yang terhubung ke akun."),
    ("Order.InstHasUnpaidOrder", "There is an unpaid order for this service; pay or cancel it first.", "Ada pesanan yang belum dibayar untuk layanan ini; bayar atau batalkan terlebih dahulu."),
    ("noAvailablePaymentMethod", "The account has no payment method.", "Akun tidak memiliki metode pembayaran."),
    ("BasicInfoUncompleted", "The account information is incomplete; complete it first.", "Informasi akun belum lengkap; lengkapi terlebih dahulu."),
    ("Risk.RiskControlRejection", "The account was stopped by risk control; contact Alibaba Cloud support.", "Akun dihentikan oleh kontrol risiko; hubungi dukungan Alibaba Cloud."),
    ("Api.NotSupport", "This API is not supported.", "API ini tidak didukung."),
    ("ContainForbiddenLabelError", "A label on the account forbids orders; contact your distributor.", "Ada label pada akun yang melarang pemesanan; hubungi distributor Anda."),
    ("InvalidDBInstanceId.NotFound", "The RDS instance ID does not exist.", "ID instance RDS tidak ada."),
    ("InvalidInstanceLevel.DiskType", "This instance type does not support the requested disk type.", "Tipe instance ini tidak mendukung tipe disk yang diminta."),
    ("InvalidParam", "A parameter is not valid (for example wal_level while logical slots still exist).", "Parameter tidak valid (misalnya wal_level saat slot logis masih ada)."),
    ("KmsApiError", "The KMS key is not valid.", "Kunci KMS tidak valid."),
    ("System.SaleValidateFailed", "The sales validation system failed; try again later.", "Sistem validasi penjualan gagal; coba lagi nanti."),
    ("Abs.InvalidAccount.NotFound", "The account was not found.", "Akun tidak ditemukan."),
    ("SqlExecuteFailedOrTimeout", "An SQL command failed or timed out; try again shortly.", "Perintah SQL gagal atau melebihi batas waktu; coba lagi sebentar lagi."),
    ("ColdData.EngineVersionNotSupport", "This engine version does not support cold data storage.", "Versi engine ini tidak mendukung penyimpanan data dingin."),
    ("ColdData.MinorVersionNotSupport", "This minor version does not support cold data storage.", "Versi minor ini tidak mendukung penyimpanan data dingin."),
    ("IncorrectTargetClasscode", "This instance type does not support the operation.", "Tipe instance ini tidak mendukung operasi ini."),
    ("InvalidConnectionString.Duplicate", "That connection string already exists.", "String koneksi tersebut sudah ada."),
    ("RequiredParam.NotFound", "A required parameter is missing.", "Parameter wajib tidak ada."),
    ("Parameters.Invalid", "A parameter is wrong; check the parameters.", "Parameter salah; periksa parameternya."),
    ("BackupPolicyNotSupport", "Cold data cannot be enabled with cross-region or flash backup; check the backup policy.", "Data dingin tidak dapat diaktifkan bersama pencadangan lintas region atau flash; periksa kebijakan pencadangan."),
    ("InvalideStatus.Format", "The instance's current status does not allow this operation.", "Status instance saat ini tidak mengizinkan operasi ini."),
    ("InvalidReleasedKeepPolicy.Format", "The retention policy for released instances is not valid.", "Kebijakan penyimpanan untuk instance yang dirilis tidak valid."),
    ("InvalidDBInstanceEngineType.Format", "The instance's database engine does not support this operation.", "Engine database instance ini tidak mendukung operasi ini."),
    ("Pay.NoCreditCard", "No credit card is linked to the account.", "Tidak ada kartu kredit yang terhubung ke akun."),
    ("VpcNetworkTypeNotSupport", "Instances on a VPC network do not support this operation.", "Instance dengan jaringan VPC tidak mendukung operasi ini."),
    ("MirrorInsExists", "A mirror instance already exists for this instance.", "Instance cermin untuk instance ini sudah ada."),
    ("UnsupportedClassCode", "This instance class is no longer sold.", "Kelas instance ini tidak dijual lagi."),
    ("InvalidBackupSet", "The database does not exist in the backup set.", "Database tidak ada di dalam set cadangan."),
    ("OrdTCommodityQueryError", "The product lookup failed; try again shortly.", "Pencarian produk gagal; coba lagi sebentar lagi."),
    ("ProductInstanceReleased", "The instance has been released.", "Instance sudah dirilis."),
    ("RegionEndTimeDissolvedIndia", "This region is no longer supported.", "Region ini tidak didukung lagi."),
    ("ExternalFailure", "A service the RDS API depends on failed; try again later.", "Layanan yang dibutuhkan API RDS gagal; coba lagi nanti."),
    ("RequestMetaDataFailed", "The service request failed; try again later or contact support.", "Permintaan layanan gagal; coba lagi nanti atau hubungi dukungan."),
    ("InvokeProxyFailure", "The RDS API service failed; try again later.", "Layanan API RDS gagal; coba lagi nanti."),
    ("OrderStatus.UnPaid", "The instance has an unpaid order.", "Instance memiliki pesanan yang belum dibayar."),
    ("InvalidReduceDiskSize", "Storage after a scale-down must be larger than the space in use.", "Kapasitas penyimpanan setelah dikurangi harus lebih besar dari yang terpakai."),
    ("CloudSSDNotSupport", "Cloud SSD does not support this operation; upgrade to ESSD.", "Cloud SSD tidak mendukung operasi ini; tingkatkan ke ESSD."),
    ("InvalidUserOperatorPermission", "Your permissions do not allow this operation.", "Izin Anda tidak mengizinkan operasi ini."),
    ("InvalidVswitchId", "The vSwitch ID is not valid.", "ID vSwitch tidak valid."),
    ("IncorrectMinorVersion", "The engine minor version does not support this operation.", "Versi minor engine tidak mendukung operasi ini."),
    ("OperationDenied.ZoneResource", "No zone has capacity available.", "Tidak ada zona dengan kapasitas tersedia."),
    ("NotInFlowController", "No permission for this operation.", "Tidak ada izin untuk operasi ini."),
    ("InvalidKmsKey", "The KMS key is disabled.", "Kunci KMS dinonaktifkan."),
    ("InvalidInstanceLevel.Malformed", "The instance level does not support this operation.", "Level instance ini tidak mendukung operasi ini."),
    ("InvalidDBInstanceName.NotFound", "The RDS instance does not exist; check the instance ID and the region.", "Instance RDS tidak ada; periksa ID instance dan region-nya."),
    ("InvalidClusterKms", "The instance is not authorized to use Key Management Service.", "Instance tidak diberi otorisasi untuk menggunakan Key Management Service."),
    ("Request.NotFound", "The requested resource is not available.", "Sumber daya yang diminta tidak tersedia."),
    ("HostInfo.NotFound", "The host information was not found.", "Informasi host tidak ditemukan."),
    ("Throttling", "Too many requests; wait a moment and try again.", "Terlalu banyak permintaan; tunggu sebentar lalu coba lagi."),
    ("Throttling.User", "The account's request limit was reached; wait a moment and try again.", "Batas permintaan akun tercapai; tunggu sebentar lalu coba lagi."),
    ("Throttling.Api", "This API's request limit was reached; wait a moment and try again.", "Batas permintaan API ini tercapai; tunggu sebentar lalu coba lagi."),
    ("SignatureDoesNotMatch", "The request signature did not match; the proxy's AccessKey secret may be wrong.", "Tanda tangan permintaan tidak cocok; secret AccessKey proxy mungkin salah."),
    ("IncompleteSignature", "The request signature is incomplete or malformed.", "Tanda tangan permintaan tidak lengkap atau salah format."),
    ("InvalidAccessKeyId.NotFound", "The proxy's AccessKey ID does not exist.", "AccessKey ID proxy tidak ada."),
    ("InvalidAccessKeyId.Inactive", "The proxy's AccessKey is disabled.", "AccessKey proxy dinonaktifkan."),
    ("SignatureNonceUsed", "A request nonce was reused; a fresh request will go through.", "Nonce permintaan sudah pernah dipakai; permintaan baru akan berhasil."),
    ("InvalidTimeStamp.Expired", "The request time is more than 15 minutes off the service's clock; check the proxy's clock.", "Waktu permintaan berselisih lebih dari 15 menit dengan jam layanan; periksa jam proxy."),
    ("InvalidTimeStamp.Format", "The request time is not in the required format.", "Format waktu permintaan tidak sesuai."),
    ("IllegalTimestamp", "The request carries no timestamp.", "Permintaan tidak memiliki stempel waktu."),
    ("MissingParameter", "A required parameter is missing.", "Parameter wajib tidak ada."),
    ("InvalidParameter", "A parameter is not valid.", "Parameter tidak valid."),
    ("InvalidApi.NotFound", "The API was not found (wrong action, version or endpoint).", "API tidak ditemukan (aksi, versi, atau endpoint salah)."),
    ("InvalidProduct.NotFound", "No product is served at this endpoint.", "Tidak ada produk yang dilayani pada endpoint ini."),
    ("UnsupportedHTTPMethod", "This HTTP method is not supported.", "Metode HTTP ini tidak didukung."),
    ("InvalidSignatureMethod", "The signature method is not valid.", "Metode tanda tangan tidak valid."),
    ("Forbidden.RAM", "The proxy's RAM identity lacks permission for this action.", "Identitas RAM proxy tidak memiliki izin untuk aksi ini."),
    ("Forbidden.RiskControl", "Alibaba Cloud's risk control blocked this operation.", "Sistem kontrol risiko Alibaba Cloud memblokir operasi ini."),
    ("InternalError", "The service had an internal error; try again later.", "Layanan mengalami kesalahan internal; coba lagi nanti."),
    ("ServiceUnavailable", "The service is temporarily unavailable; try again shortly.", "Layanan sementara tidak tersedia; coba lagi sebentar lagi."),
    ("IncorrectDBInstanceState", "The instance's current state does not allow this operation.", "Status instance saat ini tidak mengizinkan operasi ini."),
    ("InvalidSecurityToken.Expired", "The proxy's temporary (STS) credentials have expired.", "Kredensial sementara (STS) proxy sudah kedaluwarsa."),
    ("InvalidSecurityToken.Malformed", "The proxy's temporary (STS) token is malformed.", "Token sementara (STS) proxy salah format."),
    ("InvalidSecurityToken.MismatchWithAccessKey", "The STS token does not belong to the AccessKey used.", "Token STS tidak cocok dengan AccessKey yang dipakai."),
    ("Proxy.Unauthorized", "Sign in to use the dashboard: no valid identity reached the proxy.", "Silakan masuk untuk memakai dasbor: proxy tidak menerima identitas yang sah."),
    ("Proxy.Forbidden", "You are not allowed to see this.", "Anda tidak diizinkan melihat ini."),
    ("Proxy.ActionNotAllowed", "This action is not allowed through the proxy; only read-only actions are.", "Aksi ini tidak diizinkan melalui proxy; hanya aksi baca yang diizinkan."),
    ("Proxy.InvalidParameter", "A request parameter is missing or not valid.", "Parameter permintaan tidak ada atau tidak valid."),
    ("Proxy.UpstreamTimeout", "The RDS API did not answer in time; try again.", "API RDS tidak menjawab tepat waktu; coba lagi."),
    ("Proxy.UpstreamUnavailable", "The RDS API could not be reached; try again shortly.", "API RDS tidak dapat dihubungi; coba lagi sebentar lagi."),
    ("Proxy.NotFound", "Nothing was found at this address.", "Tidak ada apa pun di alamat ini."),
    ("Proxy.PayloadTooLarge", "The request is too large.", "Permintaan terlalu besar."),
    ("Proxy.Internal", "The proxy had an internal error; try again later.", "Proxy mengalami kesalahan internal; coba lagi nanti."),
    ("Proxy.MethodNotAllowed", "Only reading is allowed through the proxy.", "Melalui proxy hanya boleh membaca."),
    ("Proxy.Busy", "The proxy has too many calls to the RDS API in flight; try again in a moment.", "Proxy sedang menangani terlalu banyak panggilan ke API RDS; coba lagi sebentar lagi."),
    ("Proxy.RequestTimeout", "The request took too long and was stopped; try again.", "Permintaan terlalu lama dan dihentikan; coba lagi."),
    ("Proxy.RateLimited", "Too many calls from you in a short time; the dashboard will try again shortly.", "Terlalu banyak panggilan dari Anda dalam waktu singkat; dasbor akan mencoba lagi sebentar lagi."),
    ("Proxy.UpstreamTooLarge", "The RDS API's answer is larger than the proxy accepts; ask for a smaller page.", "Jawaban API RDS lebih besar daripada yang diterima proxy; minta halaman yang lebih kecil."),
    ("Proxy.HistoryNotConfigured", "This proxy keeps no history; only live data is shown.", "Proxy ini tidak menyimpan riwayat; hanya data langsung yang ditampilkan."),
    ("Proxy.HistoryUnavailable", "History is unavailable for now; live data is not affected.", "Riwayat sedang tidak tersedia; data langsung tidak terpengaruh."),
    ("Proxy.NotWatched", "This instance is not watched.", "Instans ini tidak dipantau."),
    ("Proxy.UnsupportedMediaType", "The request must be sent as JSON.", "Permintaan harus dikirim sebagai JSON."),
    ("Proxy.AppNotBuilt", "The dashboard is not built on this server; ask its operator to build it.", "Dasbor belum dibangun di server ini; minta operatornya untuk membangunnya."),
];

/// The plain message for a catalogued error code (as `migration_model::catalogued_code` names it).
pub fn error_message(lang: Lang, code: &str) -> Option<&'static str> {
    ERROR_MESSAGES.iter().find(|(c, _, _)| *c == code).map(|(_, en, id)| match lang {
        Lang::En => *en,
        Lang::Id => *id,
    })
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
    browser.into_iter().find_map(Lang::from_tag).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Strings that are deliberately the same in both languages (names, codes).
    const SAME_IN_BOTH: &[Key] = &[
        Key::LanguageEnglish,
        Key::LanguageIndonesian,
        Key::StateStreaming,
        // Product names.
        Key::DestWebhook,
        Key::DestSlack,
        Key::DestDingtalk,
        Key::DestLark,
        Key::DestWecom,
    ];

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

    /// Keys whose Indonesian text may repeat another key's while the English differs (counted
    /// nouns: Indonesian nouns do not change in the plural).
    const SAME_INDONESIAN: &[(Key, Key)] = &[
        (Key::SampleOne, Key::SampleOther),
        (Key::PointOne, Key::PointOther),
        (Key::CheckOne, Key::CheckOther),
        (Key::WarningOne, Key::WarningOther),
        (Key::InstanceOne, Key::InstanceOther),
        (Key::TabPrechecks, Key::ChecklistHeading),
        (Key::TabPrechecks, Key::StagePrecheck),
        // A completed migration and a finished replication link are both "selesai".
        (Key::StageSuccess, Key::StateFinish),
        (Key::StageSuccess, Key::HealthFinished),
    ];

    #[test]
    fn no_two_meanings_share_an_indonesian_word() {
        // One Indonesian word for two English ones (Pause and Lag were both "Jeda") misleads.
        for (i, a) in Key::ALL.iter().enumerate() {
            for b in &Key::ALL[i + 1..] {
                let ((ea, ia), (eb, ib)) = (a.texts(), b.texts());
                if ia == ib && ea != eb {
                    assert!(
                        SAME_INDONESIAN.contains(&(*a, *b)) || SAME_INDONESIAN.contains(&(*b, *a)),
                        "{a:?} ({ea}) and {b:?} ({eb}) are both \"{ia}\" in Indonesian"
                    );
                }
            }
        }
    }

    #[test]
    fn lag_is_never_pause_in_indonesian() {
        // "Jeda" is the refresh's Pause; lag is "ketertinggalan".
        for key in Key::ALL {
            let (en, id) = key.texts();
            if en.to_lowercase().contains("lag") {
                assert!(!id.to_lowercase().contains("jeda"), "{key:?}: {id}");
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
        assert_eq!(tf(Lang::Id, Key::TaskHeading, &[("id", "440437220")]), "Tugas 440437220");
        assert_eq!(
            tf(Lang::En, Key::TotalTasks, &[("total", "42"), ("page", "1"), ("pages", "2")]),
            "42 in total · page 1 of 2"
        );
        assert_eq!(fill("a {x} b {y}", &[("x", "1")]), "a 1 b {y}");
        assert_eq!(fill("open { brace", &[]), "open { brace");
        assert_eq!(fill("ünï {x}", &[("x", "✓")]), "ünï ✓");
    }

    #[test]
    fn every_catalogued_error_code_has_a_message_in_both_languages() {
        let model: Vec<&str> = migration_model::catalogue().iter().map(|i| i.code).collect();
        let mut seen = std::collections::HashSet::new();
        for (code, en, id) in ERROR_MESSAGES {
            assert!(seen.insert(*code), "{code} twice");
            assert!(model.contains(code), "{code} is not in the model's catalogue");
            assert!(!en.trim().is_empty() && !id.trim().is_empty(), "{code}");
            assert_ne!(en, id, "{code} is not translated");
        }
        for code in model {
            assert!(error_message(Lang::En, code).is_some(), "{code} has no message");
        }
        let family = migration_model::catalogued_code("InvalidPageSize", 400).unwrap();
        assert_eq!(error_message(Lang::Id, family), Some("Parameter tidak valid."));
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
