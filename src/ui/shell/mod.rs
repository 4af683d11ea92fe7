//! The frame around the views: the app, its header (toolbar, trace header), the notice and the error panel.

pub mod app;
pub mod errors;
pub mod header;
