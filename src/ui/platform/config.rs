//! Reads `public/config.json` (`crate::config`) at start-up, relative to the page; until it arrives, and when
//! it is missing or does not read, the defaults hold (a console warning says why).

pub use crate::config::Config;

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
