//! The spanlens web app's entry point. In the browser it mounts the UI; natively there is nothing to run.

#[cfg(target_arch = "wasm32")]
fn main() {
    spanlens::ui::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    println!("spanlens is a web app: build it with `trunk build --release` and serve dist/ with any static web server.");
}
