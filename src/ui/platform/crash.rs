//! When the module stops anyway (a panic: a bug, since input never should cause one), the page says so,
//! the embedding parent gets `spanlens:error`, and the viewer can start again. After a panic the wasm
//! module's state cannot be trusted, so none of this calls back into it: the hook writes plain DOM, posts the
//! message, and what runs later (the restart) is the browser's own `location.replace`.

use std::cell::RefCell;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Window;

thread_local! {
    /// Windows that talk to the viewer (the embedding parent, senders of accepted messages) and their origins.
    static LISTENERS: RefCell<Vec<(Window, String)>> = const { RefCell::new(Vec::new()) };
}

/// Remembers a window (and its exact origin) to tell if the viewer stops.
pub fn remember(window: &Window, origin: &str) {
    let _ = LISTENERS.try_with(|l| {
        if let Ok(mut l) = l.try_borrow_mut() {
            if !l.iter().any(|(w, o)| o == origin && js_sys::Object::is(w, window)) {
                l.push((window.clone(), origin.to_string()));
            }
        }
    });
}

/// Installs the panic hook (the console still gets the panic, with its location), and the allocator's
/// hook for when memory runs out.
pub fn install() {
    crate::memory::on_exhausted(|size| stopped(&format!("out of memory (an allocation of {} failed)", crate::format::bytes(size as u64))));
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        let what = match info.payload().downcast_ref::<&str>() {
            Some(s) => s.to_string(),
            None => info.payload().downcast_ref::<String>().cloned().unwrap_or_else(|| "an internal error".to_string()),
        };
        stopped(&what);
    }));
}

/// Tells the listeners and the page that the viewer stopped, and restarts it when it is embedded (a
/// parent's next `spanlens:load` then reaches a fresh module: it waits for `spanlens:ready`).
fn stopped(what: &str) {
    let Some(win) = web_sys::window() else { return };
    let embedded = win.parent().ok().flatten().is_some_and(|p| !js_sys::Object::is(&p, &win));
    let restart = if embedded { "it restarts now and says spanlens:ready again" } else { "start it again to go on" };
    let text = format!("spanlens stopped: {what}. This is a bug in spanlens, not in your trace; {restart}.");
    let _ = LISTENERS.try_with(|l| {
        if let Ok(l) = l.try_borrow() {
            let message = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&message, &"type".into(), &"spanlens:error".into());
            let _ = js_sys::Reflect::set(&message, &"message".into(), &JsValue::from_str(&text));
            for (window, origin) in l.iter() {
                let _ = window.post_message(&message, origin);
            }
        }
    });
    let again = fresh_url(&win);
    show(&win, &text, &again);
    if embedded {
        // The browser's own function, bound to the location, run by the browser: no wasm involved.
        let location = win.location();
        if let Ok(replace) = js_sys::Reflect::get(&location, &"replace".into()).and_then(|f| f.dyn_into::<js_sys::Function>()) {
            let restart: js_sys::Function = replace.bind1(&location, &JsValue::from_str(&again)).unchecked_into();
            let _ = win.set_timeout_with_callback_and_timeout_and_arguments_0(&restart, 0);
        }
    }
}

/// The page's address without what named the input (`url=`, `traceId=`), so that starting again does not
/// load what stopped it.
fn fresh_url(win: &Window) -> String {
    let location = win.location();
    let href = location.href().unwrap_or_default();
    let Ok(url) = web_sys::Url::new(&href) else { return href };
    let params = url.search_params();
    for input in ["url", "traceId", "backend", "span"] {
        params.delete(input);
    }
    url.set_hash("");
    url.href()
}

/// A notice over the page, in plain DOM (text only), with a link that starts the viewer again.
fn show(win: &Window, text: &str, again: &str) -> Option<()> {
    let doc = win.document()?;
    let notice = doc.create_element("div").ok()?;
    notice.set_class_name("crash");
    notice.set_attribute("role", "alert").ok()?;
    notice.set_attribute("data-testid", "crash").ok()?;
    let words = doc.create_element("p").ok()?;
    words.set_text_content(Some(text));
    let link = doc.create_element("a").ok()?;
    link.set_attribute("href", again).ok()?;
    link.set_text_content(Some("Start again"));
    notice.append_child(&words).ok()?;
    notice.append_child(&link).ok()?;
    doc.body()?.append_child(&notice).ok()?;
    Some(())
}
