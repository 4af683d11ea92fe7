//! `public/config.json`: what an operator sets in the deployed folder (DESIGN.md, "Backends"): the
//! backends, the origins that may embed the viewer, and limits. Every field is optional.

use serde::Deserialize;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Config {
    pub embed: Embed,
    pub limits: Limits,
    pub backends: Vec<crate::backend::Backend>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Embed {
    /// Origins besides the page's own whose messages may drive the viewer.
    pub allowed_origins: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Limits {
    /// Stop a load once the heap holds more than this many MB (browsers on phones give a page less than the
    /// 4 GB a WebAssembly page can address). At most `memory::LOAD_STOPS_AT`.
    #[serde(rename = "memoryMB")]
    pub memory_mb: Option<u64>,
}

impl Config {
    /// Heap bytes past which a load stops.
    pub fn memory_limit(&self) -> u64 {
        let most = crate::memory::LOAD_STOPS_AT;
        self.limits.memory_mb.map_or(most, |mb| mb.saturating_mul(1_000_000).min(most))
    }
}

impl Config {
    /// The backend named `name`, or the first when `name` is empty.
    pub fn backend(&self, name: &str) -> Option<&crate::backend::Backend> {
        match name {
            "" => self.backends.first(),
            name => self.backends.iter().find(|b| b.name == name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_is_optional_and_the_memory_limit_is_capped() {
        let empty: Config = serde_json::from_str("{}").unwrap();
        assert_eq!(empty.memory_limit(), crate::memory::LOAD_STOPS_AT);
        assert!(empty.backend("").is_none());
        let c: Config = serde_json::from_str(
            r#"{"embed":{"allowedOrigins":["https://d.example.com"]},"limits":{"memoryMB":500},
                "backends":[{"name":"a","kind":"zipkin","url":"/z"},{"name":"b","kind":"tempo","url":"/t"}]}"#,
        )
        .unwrap();
        assert_eq!(c.memory_limit(), 500_000_000);
        assert_eq!((c.backend("").unwrap().name.as_str(), c.backend("b").unwrap().name.as_str()), ("a", "b"));
        assert!(c.backend("c").is_none());
        let huge: Config = serde_json::from_str(r#"{"limits":{"memoryMB":99999999}}"#).unwrap();
        assert_eq!(huge.memory_limit(), crate::memory::LOAD_STOPS_AT);
    }
}
