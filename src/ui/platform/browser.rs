//! Small wrappers over browser APIs: URL parameters, theme, waiting for a paint.

use leptos::prelude::{document, window};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The page's URL parameters that spanlens reads (DESIGN.md, "Embedding").
pub struct Params {
    /// `url=`: fetch this trace instead of showing the sample.
    pub url: Option<String>,
    /// `embed=1` (or Jaeger UI's `uiEmbed=v0`): no toolbar; the trace header stays. `embed=toolbar`: framed,
    /// with the toolbar. Kept in the URL as given.
    pub embed: Option<String>,
    /// `theme=light|dark` (or Jaeger UI's `uiTheme=`); otherwise the system's preference.
    pub theme: Option<String>,
    /// `q=` (or Jaeger UI's `uiFind=`): the flame graph's search.
    pub query: Option<String>,
    /// `window=START,END`: the time window, ns from the trace's start.
    pub window: Option<(i64, i64)>,
    /// `colour=`: the flame graph's colouring.
    pub colouring: Option<crate::view::colour::Colouring>,
    /// `trace=`: which trace of a file with several (its id).
    pub trace: Option<String>,
    /// `time=`: how the tables show times (`relative`, `local`, `utc`).
    pub time: Option<String>,
    /// `view=`: the tab a trace is shown in (`flame`, `timeline`; `search` is the search page).
    pub view: Option<String>,
    /// `compare=`: the compare tab's B, a trace id.
    pub compare: Option<String>,
    /// `span=`: select this span (id as in the summary) once the trace is on screen.
    pub span: Option<String>,
    /// `traceId=` (and `backend=`, a configured backend's name; the first when absent): fetch this trace.
    pub trace_id: Option<String>,
    pub backend: Option<String>,
    /// `view=search` with the search's fields: the search page.
    pub search: Option<crate::backend::search::Search>,
    /// The statistics tab: `group=` and `then=` (`service`, `operation`, `attr:<key>`), `over=all`.
    pub group: Option<String>,
    pub then: Option<String>,
    pub over_all: bool,
    /// `engine=page`: read and analyse on the page's thread, not in workers (the benchmark's baseline).
    pub engine: Option<String>,
}

impl Params {
    /// Framed without the toolbar (`embed=1`; `embed=toolbar` keeps it).
    pub fn bare(&self) -> bool {
        self.embed.as_deref().is_some_and(|e| e != "toolbar" && e != "0" && e != "false")
    }

    pub fn from_location() -> Params {
        let search = window().location().search().unwrap_or_default();
        let query = web_sys::UrlSearchParams::new_with_str(&search).ok();
        let get = |key: &str| {
            query
                .as_ref()
                .and_then(|q| q.get(key))
                .filter(|v| !v.is_empty())
        };
        Params {
            url: get("url"),
            embed: get("embed").or_else(|| get("uiEmbed").map(|_| "1".to_string())),
            theme: get("theme").or_else(|| get("uiTheme")).filter(|t| t == "light" || t == "dark"),
            query: get("q").or_else(|| get("uiFind")),
            window: get("window").and_then(|w| parse_window(&w)),
            colouring: get("colour").and_then(|c| crate::view::colour::Colouring::from_str(&c)),
            trace: get("trace"),
            view: get("view"),
            compare: get("compare"),
            time: get("time"),
            span: get("span"),
            trace_id: get("traceId"),
            backend: get("backend"),
            search: (get("view").as_deref() == Some("search")).then(|| crate::backend::search::Search::from_query(&search)),
            group: get("group"),
            then: get("then"),
            over_all: get("over").as_deref() == Some("all"),
            engine: get("engine"),
        }
    }
}

/// `theme-light` / `theme-dark` on `<html>`; without either the CSS follows `prefers-color-scheme`.
pub fn apply_theme(theme: Option<&str>) {
    let Some(root) = document().document_element() else { return };
    let classes = root.class_list();
    let _ = classes.remove_2("theme-light", "theme-dark");
    match theme {
        Some("light") => drop(classes.add_1("theme-light")),
        Some("dark") => drop(classes.add_1("theme-dark")),
        _ => {}
    }
}

/// `?perf=1`: the flame graph records a `spanlens:frame` performance measure per frame (browser benchmark).
pub fn perf_enabled() -> bool {
    thread_local!(static PERF: bool = window()
        .location()
        .search()
        .unwrap_or_default()
        .split(['?', '&'])
        .any(|p| p == "perf=1"));
    PERF.with(|p| *p)
}

/// Resolves after the browser has had a chance to paint: the next animation frame, then a task after it.
/// Hidden pages and iframes get no animation frames, so a 100 ms timer resolves it too.
pub async fn next_paint() {
    let promise = js_sys::Promise::new(&mut |resolve: js_sys::Function, _reject| {
        let win = window();
        let after_frame = {
            let (win, resolve) = (win.clone(), resolve.clone());
            Closure::once_into_js(move || {
                let _ = win.set_timeout_with_callback(&resolve);
            })
        };
        let _ = win.request_animation_frame(after_frame.unchecked_ref());
        let _ = win.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 100);
    });
    let _ = JsFuture::from(promise).await;
}

/// Resolves after `ms` milliseconds.
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve: js_sys::Function, _reject| {
        let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = JsFuture::from(promise).await;
}

/// Resolves in a task of its own, at once (a message to itself: timers would be clamped to 4 ms): the
/// browser paints and answers input in between when it is due to. For work in small slices, one after another.
pub async fn next_task() {
    let promise = js_sys::Promise::new(&mut |resolve: js_sys::Function, _reject| {
        let Ok(channel) = web_sys::MessageChannel::new() else {
            let _ = resolve.call0(&JsValue::NULL);
            return;
        };
        channel.port1().set_onmessage(Some(&resolve));
        let _ = channel.port2().post_message(&JsValue::NULL);
    });
    let _ = JsFuture::from(promise).await;
}

/// Yields to the browser (a paint and pending input) when `budget_ms` has passed since the last yield: long
/// loops call it often, and it costs nothing until the budget is spent.
pub struct Yielder {
    last: f64,
    budget_ms: f64,
}

impl Yielder {
    pub fn new(budget_ms: f64) -> Yielder {
        Yielder { last: now(), budget_ms }
    }

    /// Whether the budget is spent (the next `maybe_yield` will yield).
    pub fn due(&self) -> bool {
        now() - self.last >= self.budget_ms
    }

    pub async fn maybe_yield(&mut self) {
        if self.due() {
            next_paint().await;
            self.last = now();
        }
    }

    /// The same, yielding a task rather than waiting for a frame (`next_task`): for slices that should follow
    /// each other as fast as the page allows.
    pub async fn maybe_pass(&mut self) {
        if self.due() {
            next_task().await;
            self.last = now();
        }
    }
}

/// A `performance` mark (load phases and the first frame; the browser benchmark reads them).
pub fn mark(name: &str) {
    let _ = window().performance().map(|p| p.mark(name));
}

/// Milliseconds on the page's clock (`performance.now()`).
pub fn now() -> f64 {
    window().performance().map(|p| p.now()).unwrap_or(0.0)
}

/// Whether an event happened in a place where the user types (so page-wide shortcuts stay out of the way).
pub fn is_typing_target(target: Option<web_sys::EventTarget>) -> bool {
    let Some(target) = target else { return false };
    if target.is_instance_of::<web_sys::HtmlInputElement>()
        || target.is_instance_of::<web_sys::HtmlTextAreaElement>()
    {
        return true;
    }
    target
        .dyn_ref::<web_sys::HtmlElement>()
        .is_some_and(|el| el.is_content_editable())
}

/// A JS exception as text (its message when it is an Error).
pub fn js_error_text(err: JsValue) -> String {
    err.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| err.as_string())
        .unwrap_or_else(|| format!("{err:?}"))
}

/// Runs a function once a while has passed without another call (a URL write after the last zoom step).
#[derive(Clone, Copy)]
pub struct Debounce(leptos::prelude::StoredValue<Option<leptos::prelude::TimeoutHandle>>);

impl Debounce {
    pub fn new() -> Debounce {
        Debounce(leptos::prelude::StoredValue::new(None))
    }

    pub fn run(&self, ms: u64, f: impl FnOnce() + Send + Sync + 'static) {
        use leptos::prelude::*;
        if let Some(pending) = self.0.try_update_value(Option::take).flatten() {
            pending.clear();
        }
        let handle = set_timeout_with_handle(f, std::time::Duration::from_millis(ms)).ok();
        self.0.try_set_value(handle);
    }
}

/// `START,END` in ns → (start, end), when it reads and start < end.
pub fn parse_window(text: &str) -> Option<(i64, i64)> {
    let (start, end) = text.split_once(',')?;
    let (start, end) = (start.trim().parse::<i64>().ok()?, end.trim().parse::<i64>().ok()?);
    (start >= 0 && start < end).then_some((start, end))
}
