//! Heap bytes held, counted by the allocator. The browser stops a load before the page's WebAssembly memory
//! runs out (its buffer only ever grows, so its size says nothing about what is free: what the heap holds
//! does), and the memory benchmark reports what each stage of a load holds.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// The system allocator, counting the bytes currently held and the most ever held. Installed as the global
/// allocator by the web app (`main.rs`) and the memory benchmark.
pub struct Counting;

static HELD: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed on to `System` unchanged; the counters are plain atomics.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let held = HELD.fetch_add(layout.size(), Relaxed) + layout.size();
        PEAK.fetch_max(held, Relaxed);
        // SAFETY: the caller's contract, passed on.
        exhausted(unsafe { System.alloc(layout) }, layout.size())
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        HELD.fetch_sub(layout.size(), Relaxed);
        // SAFETY: the caller's contract, passed on.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            let held = HELD.fetch_add(new_size - layout.size(), Relaxed) + new_size - layout.size();
            PEAK.fetch_max(held, Relaxed);
        } else {
            HELD.fetch_sub(layout.size() - new_size, Relaxed);
        }
        // SAFETY: the caller's contract, passed on.
        exhausted(unsafe { System.realloc(ptr, layout, new_size) }, new_size)
    }
}

/// Called (with the size asked for) when the allocator has no room, before the module aborts: the page can
/// still say what happened (`ui::crash`). An abort for memory is not a panic, so the panic hook misses it.
static ON_EXHAUSTED: std::sync::OnceLock<fn(usize)> = std::sync::OnceLock::new();

pub fn on_exhausted(hook: fn(usize)) {
    let _ = ON_EXHAUSTED.set(hook);
}

fn exhausted(ptr: *mut u8, size: usize) -> *mut u8 {
    if ptr.is_null() {
        if let Some(hook) = ON_EXHAUSTED.get() {
            hook(size);
        }
    }
    ptr
}

/// Bytes the heap holds now (0 where `Counting` is not the global allocator).
pub fn held() -> u64 {
    HELD.load(Relaxed) as u64
}

/// The most the heap has held since the last `restart_peak`.
pub fn peak() -> u64 {
    PEAK.load(Relaxed) as u64
}

/// Starts measuring the peak again from what is held now.
pub fn restart_peak() {
    PEAK.store(HELD.load(Relaxed), Relaxed);
}

/// What one page's WebAssembly memory can address: 4 GiB (wasm32).
pub const WASM_MEMORY_BYTES: u64 = 4 << 30;

/// A load stops once the heap holds more than this. The room left above it is for the largest single
/// allocation one step of a load makes (an array doubling: a few hundred MB at the largest inputs) and for
/// the allocator's own overhead.
pub const LOAD_STOPS_AT: u64 = 3 << 30;

/// `Ok` while `held` is within `limit`; otherwise what a stopped load shows (`stopped`).
pub fn check(held: u64, limit: u64, doing: &str) -> Result<(), String> {
    if held <= limit {
        return Ok(());
    }
    Err(stopped(held, limit, doing))
}

/// What a load stopped for memory shows: the limit, what is held (or would be, with the next allocation),
/// and how far the load had got (`doing`: "after reading 1.2 GB of 1.8 GB").
pub fn stopped(held: u64, limit: u64, doing: &str) -> String {
    let bytes = crate::format::bytes;
    format!(
        "out of memory: the load was stopped before the page's memory passed the {} it may use ({} held), \
         {doing}. Close other files, or open a smaller one (or one trace of it).",
        bytes(limit),
        bytes(held)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_load_stops_past_the_limit_naming_it_and_how_far_it_got() {
        assert_eq!(check(100, 100, "reading"), Ok(()));
        let err = check(3_300_000_000, LOAD_STOPS_AT, "after reading 1.2 GB of 1.8 GB").unwrap_err();
        assert!(err.starts_with("out of memory: the load was stopped before the page's memory passed the 3.22 GB it may use (3.3 GB held), after reading 1.2 GB of 1.8 GB. Close"), "{err}");
    }
}
