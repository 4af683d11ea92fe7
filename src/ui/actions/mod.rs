//! Every change to the app that is more than setting one signal: loading (files, URLs, backends, the engine
//! in workers), searching a backend and opening its results, moving through the app's history. Views,
//! the history, the address bar and the embedding call these; they never import a view.

pub mod load;
pub mod navigate;
pub mod search;
