//! `SecretString`: the source database password as the API echoes it.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Holds a secret such as `SourcePassword`. Debug and Display print `***` so it cannot leak
/// into logs or the page by accident; serde still reads and writes the plain string because
/// the simulator must send it as the service does (the proxy strips it before any browser).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct SecretString(String);

impl SecretString {
    pub fn new(value: impl Into<String>) -> Self {
        SecretString(value.into())
    }

    /// The secret itself. Call only where the value must leave the process (the simulator).
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<String> for SecretString {
    fn from(s: String) -> Self {
        SecretString(s)
    }
}

impl From<&str> for SecretString {
    fn from(s: &str) -> Self {
        SecretString(s.to_string())
    }
}

impl Serialize for SecretString {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for SecretString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // A numeric password (123456 sent as a number) is still a password.
        Ok(match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => SecretString(s),
            serde_json::Value::Null => SecretString(String::new()),
            other => SecretString(other.to_string()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_printed() {
        let s = SecretString::new("123456");
        assert_eq!(format!("{s}"), "***");
        assert_eq!(format!("{s:?}"), "***");
        assert_eq!(format!("{:?}", Some(&s)), "Some(***)");
        assert_eq!(s.expose(), "123456");
    }

    #[test]
    fn serde_plain_string() {
        let s: SecretString = serde_json::from_str("\"123456\"").unwrap();
        assert_eq!(s.expose(), "123456");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"123456\"");
        let n: SecretString = serde_json::from_str("123456").unwrap();
        assert_eq!(n.expose(), "123456");
    }
}
