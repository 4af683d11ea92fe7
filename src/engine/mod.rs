//! The engine: the stages from bytes to a summary (`crate::pipeline`), and what carries their results between
//! threads (`wire`). In the browser it runs in Web Workers (`crate::ui::platform::engine` starts them, `job` is
//! what each one does); natively, on the calling thread.

pub mod job;
pub mod wire;
