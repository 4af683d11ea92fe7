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
    /// Origins besides the page's own whose messages may drive the viewer: exact origins
    /// (`https://dash.example.com:8443`), or `https://*.example.com` for every subdomain of example.com (not
    /// example.com itself), scheme and port included. A bare `*` is never honoured.
    pub allowed_origins: Vec<String>,
}

impl Embed {
    /// Whether a message from `origin` may drive the viewer at `own` origin. Opaque origins (`"null"`:
    /// sandboxed frames, `file:`) never match, even each other.
    pub fn allows(&self, origin: &str, own: &str) -> bool {
        if origin == "null" || origin.is_empty() {
            return false;
        }
        origin == own || self.allowed_origins.iter().any(|pattern| origin_matches(pattern, origin))
    }
}

/// Whether `origin` (as a browser writes it: lowercase, no path, the port only when not the default) is the
/// one `pattern` names, or one of its subdomains for a `scheme://*.domain[:port]` pattern.
fn origin_matches(pattern: &str, origin: &str) -> bool {
    let pattern = pattern.trim().trim_end_matches('/').to_ascii_lowercase();
    let Some((scheme, host)) = pattern.split_once("://") else { return false };
    let Some(domain) = host.strip_prefix("*.") else { return pattern == origin };
    if domain.is_empty() || domain.contains('*') {
        return false;
    }
    // `https://a.b.example.com` for `https://*.example.com`: a non-empty subdomain before `.example.com`,
    // made of host characters only (so no port, path or user slips in).
    let Some(sub) = origin.strip_prefix(scheme).and_then(|o| o.strip_prefix("://")).and_then(|h| h.strip_suffix(domain)) else {
        return false;
    };
    let Some(sub) = sub.strip_suffix('.') else { return false };
    !sub.is_empty() && sub.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.') && !sub.starts_with('.')
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
    fn embedding_origins_exact_and_subdomain_patterns() {
        let embed = Embed {
            allowed_origins: vec!["https://dash.example.com".into(), "https://*.internal.example.com".into(), "*".into(), "http://localhost:8080/".into()],
        };
        let own = "https://viewer.example.com";
        let allows = |origin: &str| embed.allows(origin, own);
        assert!(allows(own), "the page's own origin");
        assert!(allows("https://dash.example.com"));
        assert!(allows("https://a.internal.example.com") && allows("https://a.b.internal.example.com"));
        assert!(allows("http://localhost:8080"), "a trailing slash in the pattern is forgiven");
        for refused in [
            "https://internal.example.com",      // the domain itself is not its subdomain
            "https://evil-internal.example.com", // not a subdomain of internal.example.com
            "https://a.internal.example.com.evil.com",
            "http://a.internal.example.com",     // another scheme
            "https://a.internal.example.com:8443", // another port
            "https://dash.example.com:444",
            "https://evil.com",                  // `*` is never honoured
            "null",
            "",
        ] {
            assert!(!allows(refused), "{refused}");
        }
        let wildcard = Embed { allowed_origins: vec!["https://*.example.com".into()] };
        assert!(!wildcard.allows("https://evil-example.com", own));
        assert!(wildcard.allows("https://x.example.com", "http://127.0.0.1"));
        assert!(!Embed::default().allows("null", "null"), "opaque origins never match");
    }

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
        assert!(c.embed.allows("https://d.example.com", "http://viewer"));
        let huge: Config = serde_json::from_str(r#"{"limits":{"memoryMB":99999999}}"#).unwrap();
        assert_eq!(huge.memory_limit(), crate::memory::LOAD_STOPS_AT);
    }
}
