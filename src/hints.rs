//! Plain-language advice for precheck checks that warn or fail, in English and Bahasa
//! Indonesia. Keyed by words of the check's name (the service's check names, as in the seed and
//! the SDK example); a check no rule knows gets [`GENERIC`]. Pure data, unit-tested natively.

use crate::i18n::Lang;

/// (words that must all appear in the lower-cased check name, English, Indonesian).
const HINTS: &[(&[&str], &str, &str)] = &[
    (
        &["glibc"],
        "The source's glibc differs from the one RDS uses, so text may sort differently (collations). After the migration, rebuild indexes on text columns (REINDEX) or verify them with amcheck.",
        "glibc sumber berbeda dengan yang dipakai RDS, sehingga urutan teks (collation) bisa berbeda. Setelah migrasi, bangun ulang indeks pada kolom teks (REINDEX) atau periksa dengan amcheck.",
    ),
    (
        &["disk"],
        "The RDS instance has less storage than the source's data needs. Expand the instance's storage, then run the precheck again.",
        "Penyimpanan instans RDS lebih kecil dari kebutuhan data sumber. Perbesar penyimpanan instans, lalu jalankan prapemeriksaan lagi.",
    ),
    (
        &["replication", "privilege"],
        "The source account may not replicate. On the source run: ALTER ROLE <account> REPLICATION; and allow replication connections for it in pg_hba.conf.",
        "Akun sumber tidak boleh melakukan replikasi. Di sumber jalankan: ALTER ROLE <akun> REPLICATION; dan izinkan koneksi replikasi untuknya di pg_hba.conf.",
    ),
    (
        &["createrole"],
        "The source account needs CREATEROLE. On the source run: ALTER ROLE <account> CREATEROLE;",
        "Akun sumber memerlukan CREATEROLE. Di sumber jalankan: ALTER ROLE <akun> CREATEROLE;",
    ),
    (
        &["monitor"],
        "The source account needs the monitoring role. On the source run: GRANT pg_monitor TO <account>;",
        "Akun sumber memerlukan peran pemantauan. Di sumber jalankan: GRANT pg_monitor TO <akun>;",
    ),
    (
        &["major version"],
        "The source and the RDS instance run different PostgreSQL major versions. Use an RDS instance with the source's major version.",
        "Versi mayor PostgreSQL sumber dan instans RDS berbeda. Gunakan instans RDS dengan versi mayor yang sama dengan sumber.",
    ),
    (
        &["ip"],
        "RDS cannot reach the source's address. Check the VPC and vSwitch, the security group and the source's firewall: the source must accept connections from the RDS instance's network.",
        "RDS tidak dapat menjangkau alamat sumber. Periksa VPC dan vSwitch, grup keamanan, dan firewall sumber: sumber harus menerima koneksi dari jaringan instans RDS.",
    ),
    (
        &["port"],
        "Nothing answers on the source's port. Check that PostgreSQL listens there (listen_addresses, port) and that firewalls let RDS through.",
        "Tidak ada yang menjawab di port sumber. Pastikan PostgreSQL mendengarkan di sana (listen_addresses, port) dan firewall mengizinkan RDS.",
    ),
    (
        &["database connectable"],
        "RDS could not log in to the source. Check the account's password and that pg_hba.conf admits the RDS network for this account.",
        "RDS tidak dapat masuk ke sumber. Periksa kata sandi akun dan pastikan pg_hba.conf mengizinkan jaringan RDS untuk akun ini.",
    ),
    (
        &["rds", "databases"],
        "The RDS instance must not hold user databases before the migration. Remove them, or use an empty instance.",
        "Instans RDS tidak boleh berisi basis data pengguna sebelum migrasi. Hapus basis data itu, atau gunakan instans kosong.",
    ),
    (
        &["wal keep"],
        "The source keeps too little WAL for RDS to catch up after the full backup. Raise wal_keep_size (PostgreSQL 13 and later) or wal_keep_segments on the source.",
        "Sumber menyimpan WAL terlalu sedikit agar RDS dapat menyusul setelah pencadangan penuh. Naikkan wal_keep_size (PostgreSQL 13 ke atas) atau wal_keep_segments di sumber.",
    ),
    (
        &["spec params"],
        "Some source parameters (such as max_connections) exceed what the RDS instance class allows. Lower them on the source, or choose a larger instance class.",
        "Beberapa parameter sumber (misalnya max_connections) melebihi batas kelas instans RDS. Turunkan di sumber, atau pilih kelas instans yang lebih besar.",
    ),
    (
        &["triggers"],
        "Some triggers on the source may not work on RDS. Review them (for example triggers calling untrusted languages) before switching over.",
        "Beberapa trigger di sumber mungkin tidak berjalan di RDS. Tinjau trigger tersebut (misalnya yang memanggil bahasa tidak tepercaya) sebelum peralihan.",
    ),
    (
        &["functions"],
        "Some user functions may not work on RDS (C-language functions, extensions RDS does not offer). Review them before switching over.",
        "Beberapa fungsi pengguna mungkin tidak berjalan di RDS (fungsi bahasa C, ekstensi yang tidak tersedia di RDS). Tinjau sebelum peralihan.",
    ),
];

/// Advice for checks no rule knows.
pub const GENERIC: (&str, &str) = (
    "No specific advice for this check: read the service's message, fix the source or the instance, then run the precheck again.",
    "Tidak ada saran khusus untuk pemeriksaan ini: baca pesan layanan, perbaiki sumber atau instans, lalu jalankan prapemeriksaan lagi.",
);

/// The advice for a warning or failure of the check named `name`.
pub fn check_hint(name: &str, lang: Lang) -> &'static str {
    let lower = name.to_ascii_lowercase();
    let (en, id) = HINTS
        .iter()
        .find(|(words, _, _)| words.iter().all(|w| contains_word(&lower, w)))
        .map_or(GENERIC, |(_, en, id)| (*en, *id));
    lang.pick(en, id)
}

/// True when `needle` appears in `hay` at word boundaries (`ip` in "check ip connectable", not
/// in "privilege").
fn contains_word(hay: &str, needle: &str) -> bool {
    hay.match_indices(needle).any(|(i, _)| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + needle.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric())
            && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_checks_get_their_advice() {
        let cases = [
            ("Check source glibc version compatible", "glibc"),
            ("Check disk size enough", "storage"),
            ("Check account replication privilege", "REPLICATION"),
            ("Check account createrole privilege", "CREATEROLE"),
            ("Check account monitor privilege", "pg_monitor"),
            ("Check major version consistent", "major versions"),
            ("Check ip connectable", "address"),
            ("Check port connectable", "port"),
            ("Check database connectable", "log in"),
            ("Check rds databases", "user databases"),
            ("Check wal keep size large enough", "wal_keep_size"),
            ("Check if spec params too large", "max_connections"),
            ("Check triggers compatible", "triggers"),
            ("Check user functions compatible", "functions"),
        ];
        for (name, word) in cases {
            let hint = check_hint(name, Lang::En);
            assert!(hint.contains(word), "{name}: {hint}");
            assert_ne!(check_hint(name, Lang::Id), hint, "{name}");
        }
        assert_eq!(check_hint("Check something new", Lang::En), GENERIC.0);
        assert_eq!(check_hint("Check something new", Lang::Id), GENERIC.1);
    }
}
