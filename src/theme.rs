//! The colour theme preference: follow the system, or force light or dark.
//!
//! Pure logic (no browser types), unit-tested natively; `prefs.rs` stores it and applies it as
//! `data-theme` on `<html>`. With `System` no attribute is set and `style/main.css` follows
//! `prefers-color-scheme`.

/// The user's theme choice.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ThemePref {
    /// Follow the operating system (`prefers-color-scheme`).
    #[default]
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

impl ThemePref {
    /// All choices, in the order the toggle cycles through them.
    pub const ALL: [ThemePref; 3] = [ThemePref::System, ThemePref::Light, ThemePref::Dark];

    /// The stored form: `system`, `light`, `dark`.
    pub fn as_str(self) -> &'static str {
        match self {
            ThemePref::System => "system",
            ThemePref::Light => "light",
            ThemePref::Dark => "dark",
        }
    }

    /// Reads the stored form; anything else is `None`.
    pub fn parse(s: &str) -> Option<ThemePref> {
        match s.trim() {
            "system" => Some(ThemePref::System),
            "light" => Some(ThemePref::Light),
            "dark" => Some(ThemePref::Dark),
            _ => None,
        }
    }

    /// The value of `<html data-theme>`: `None` (attribute removed) when following the system.
    pub fn data_theme(self) -> Option<&'static str> {
        match self {
            ThemePref::System => None,
            ThemePref::Light => Some("light"),
            ThemePref::Dark => Some("dark"),
        }
    }

    /// The next choice of the toggle: system → light → dark → system.
    pub fn next(self) -> ThemePref {
        match self {
            ThemePref::System => ThemePref::Light,
            ThemePref::Light => ThemePref::Dark,
            ThemePref::Dark => ThemePref::System,
        }
    }

    /// The i18n key of its name.
    pub fn label_key(self) -> crate::i18n::Key {
        use crate::i18n::Key;
        match self {
            ThemePref::System => Key::ThemeSystem,
            ThemePref::Light => Key::ThemeLight,
            ThemePref::Dark => Key::ThemeDark,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_cycle() {
        for p in ThemePref::ALL {
            assert_eq!(ThemePref::parse(p.as_str()), Some(p));
        }
        assert_eq!(ThemePref::parse("purple"), None);
        assert_eq!(ThemePref::System.data_theme(), None);
        assert_eq!(ThemePref::Dark.data_theme(), Some("dark"));
        let mut p = ThemePref::System;
        for _ in 0..3 {
            p = p.next();
        }
        assert_eq!(p, ThemePref::System);
        assert_eq!(ThemePref::System.next(), ThemePref::Light);
    }
}
