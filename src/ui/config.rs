//! `public/config.json`, what an operator sets in the deployed folder (DESIGN.md, "Backends"). Read once at
//! start-up, relative to the page; until it arrives, and when it is missing or does not read, the defaults
//! hold (a console warning says why).

use serde::Deserialize;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Config {
    pub embed: Embed,
    pub limits: Limits,
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

/// Reads `public/config.json`; the defaults when it is missing or does not read.
pub async fn fetch() -> Config {
    let read = async {
        let response = gloo_net::http::Request::get("public/config.json").send().await.map_err(|e| e.to_string())?;
        match response.status() {
            200 => {
                let text = response.text().await.map_err(|e| e.to_string())?;
                serde_json::from_str::<Config>(&text).map_err(|e| e.to_string())
            }
            404 => Ok(Config::default()),
            status => Err(format!("HTTP {status}")),
        }
    };
    read.await.unwrap_or_else(|err| {
        web_sys::console::warn_1(&format!("spanlens: public/config.json not used ({err}); defaults apply").into());
        Config::default()
    })
}
