//! The spanlens web app's entry point. In the browser it mounts the UI; natively there is nothing to run.

/// Counts the heap's bytes, so that a load stops before the page's memory runs out (`spanlens::memory`).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: spanlens::memory::Counting = spanlens::memory::Counting;

#[cfg(target_arch = "wasm32")]
fn main() {
    spanlens::ui::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    println!("spanlens is a web app: build it with `trunk build --release` and serve dist/ with any static web server.");
}
