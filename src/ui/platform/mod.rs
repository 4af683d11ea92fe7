//! The browser around the app: URL parameters and small wrappers (`browser`), requests to backends, the
//! history and the address bar, downloads, the clipboard, config.json, the crash notice, and the engine's
//! workers (`engine` on the page, `worker` inside one, `protocol` between them).

pub mod address;
pub mod browser;
pub mod config;
pub mod copy;
pub mod crash;
pub mod download;
pub mod engine;
pub mod history;
pub mod protocol;
pub mod requests;
pub mod worker;
