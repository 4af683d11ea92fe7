//! What the user looks at: each view reads `AppState` and calls `actions`; none is imported by an action.

pub mod aggregate;
pub mod body;
pub mod charts;
pub mod compare;
pub mod events;
pub mod flame;
pub mod repeats;
pub mod search;
pub mod spans;
pub mod stats;
pub mod timeline;
pub mod traces;
