//! The two languages of the app.

use serde::{Deserialize, Serialize};

/// Display language: English or Bahasa Indonesia.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Id,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Id];

    /// BCP 47 primary tag: `en` or `id`.
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Id => "id",
        }
    }

    /// Reads `en`, `id`, `en-US`, `id-ID`, `in` (the old code for Indonesian), any case.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "id" | "in" => Some(Lang::Id),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags() {
        for (tag, want) in [
            ("en", Some(Lang::En)),
            ("en-US", Some(Lang::En)),
            ("ID", Some(Lang::Id)),
            ("id_ID", Some(Lang::Id)),
            ("in", Some(Lang::Id)),
            ("fr", None),
            ("", None),
        ] {
            assert_eq!(Lang::from_tag(tag), want, "{tag}");
        }
        assert_eq!(Lang::Id.as_str(), "id");
        assert_eq!(serde_json::to_string(&Lang::Id).unwrap(), "\"id\"");
    }
}
