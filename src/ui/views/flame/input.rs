//! Pointer and keys on the flame graph: wheel zoom, drag pan, click and double-click, the overview strip,
//! the key table, and the canvas following its wrapper's size and the system theme.

use super::{schedule, Core, Tip, Ui};
use crate::ui::platform::browser::is_typing_target;
use crate::view::interaction::{command_for, ZOOM_IN};
use crate::view::viewport::ROW_HEIGHT;
use leptos::prelude::*;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// A press that moves less than this (px) is a click, not a drag.
const CLICK_SLOP: f64 = 4.0;

/// Wheel: vertical wheel zooms at the pointer (pinch arrives as a ctrl+wheel), horizontal scroll pans,
/// Shift+wheel scrolls rows.
/// A wheel event's movement in CSS pixels, whatever unit it came in (pixels, lines, pages).
pub fn wheel_px(ev: &web_sys::WheelEvent) -> (f64, f64) {
    let scale = match ev.delta_mode() {
        1 => ROW_HEIGHT, // lines
        2 => 400.0,      // pages
        _ => 1.0,
    };
    (ev.delta_x() * scale, ev.delta_y() * scale)
}

pub(super) fn on_wheel(core: Core, ev: web_sys::WheelEvent) {
    ev.prevent_default();
    let (dx, dy) = wheel_px(&ev);
    let x = ev.offset_x() as f64;
    core.update_value(|f| {
        if ev.shift_key() {
            f.session.vp.pan_px(0.0, dy + dx);
        } else if dx.abs() > dy.abs() {
            f.session.vp.pan_px(dx, 0.0);
        } else {
            // Trackpad pinches send small ctrl deltas: scale them up so pinch feels like the wheel.
            let step = if ev.ctrl_key() { dy * 0.01 } else { dy / 100.0 };
            f.session.vp.zoom_at(ZOOM_IN.powf(-step.clamp(-5.0, 5.0)), x);
        }
    });
    schedule(core);
}

/// Press on the canvas: drag pans (both ways); a press that does not move is a click that selects.
pub(super) fn on_press(ui: Ui, ev: web_sys::MouseEvent) {
    if ev.button() != 0 {
        return;
    }
    ev.prevent_default();
    if let Some(canvas) = ev.current_target().and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()) {
        // Take keyboard focus without scrolling the page under the pointer.
        let options = web_sys::FocusOptions::new();
        options.set_prevent_scroll(true);
        let _ = canvas.focus_with_options(&options);
    }
    let core = ui.core;
    let (x0, y0) = (ev.client_x() as f64, ev.client_y() as f64);
    let (ox, oy) = (ev.offset_x() as f64, ev.offset_y() as f64);
    let last = Rc::new(Cell::new((x0, y0)));
    let moved = Rc::new(Cell::new(false));
    let (l, m) = (last.clone(), moved.clone());
    track_drag(
        move |ev| {
            let (x, y) = (ev.client_x() as f64, ev.client_y() as f64);
            if !m.get() && (x - x0).abs().max((y - y0).abs()) < CLICK_SLOP {
                return;
            }
            m.set(true);
            let (px, py) = l.get();
            l.set((x, y));
            core.update_value(|f| f.session.vp.pan_px(px - x, py - y));
            ui.tip.set(None);
            schedule(core);
        },
        move || {
            if !moved.get() {
                let span = core.with_value(|f| f.hit(ox, oy));
                ui.select(span, false);
            }
        },
    );
}

/// Follows a drag that began with a press: `on_move` for each pointer move anywhere on the page, `on_up`
/// once when the button is released; both listeners are removed then.
pub fn track_drag(on_move: impl Fn(web_sys::MouseEvent) + 'static, on_up: impl FnOnce() + 'static) {
    let motion = window_event_listener(leptos::ev::mousemove, on_move);
    let listeners: Rc<RefCell<Vec<WindowListenerHandle>>> = Rc::new(RefCell::new(vec![motion]));
    let on_up = Cell::new(Some(on_up));
    let held = listeners.clone();
    let up = window_event_listener(leptos::ev::mouseup, move |_| {
        held.borrow_mut().drain(..).for_each(WindowListenerHandle::remove);
        if let Some(f) = on_up.take() {
            f();
        }
    });
    listeners.borrow_mut().push(up);
}

pub(super) fn on_move(ui: Ui, ev: web_sys::MouseEvent) {
    let (x, y) = (ev.offset_x() as f64, ev.offset_y() as f64);
    let span = ui.core.try_update_value(|f| {
        f.session.cursor_x = Some(x);
        f.hover = f.hit(x, y);
        f.hover
    });
    ui.tip.set(span.flatten().map(|span| Tip { span, x, y }));
    schedule(ui.core);
}

/// Press on the overview strip: the visible window jumps there (centred), then follows the drag.
pub(super) fn minimap_drag(core: Core, ev: web_sys::MouseEvent) {
    ev.prevent_default();
    let Some(canvas) = ev.current_target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return };
    let place = move |client_x: f64| {
        let rect = canvas.get_bounding_client_rect();
        let x = client_x - rect.left();
        core.update_value(|f| {
            let t = x / rect.width().max(1.0) * f.session.vp.total_ns;
            f.session.vp.start_ns = t - f.session.vp.window_ns / 2.0;
            f.session.vp.pan_px(0.0, 0.0); // clamps
        });
        schedule(core);
    };
    place(ev.client_x() as f64);
    track_drag(move |ev| place(ev.client_x() as f64), || {});
}

/// Keys, from the one key table (`view::interaction::KEYS`). Ignored while typing elsewhere.
pub(super) fn install_keys(ui: Ui) {
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() || is_typing_target(ev.target()) {
            return;
        }
        let selected = ui.core.with_value(|f| f.session.selected.is_some());
        if let Some(command) = command_for(&ev.key(), ev.shift_key(), selected, false) {
            ev.prevent_default();
            ui.run(command);
        }
    });
    on_cleanup(move || handle.remove());
}

/// Double-click frames the span under the pointer and selects it.
pub(super) fn on_double_click(ui: Ui, ev: web_sys::MouseEvent) {
    let hit = ui.core.try_update_value(|f| {
        let span = f.hit(ev.offset_x() as f64, ev.offset_y() as f64)?;
        f.with_session(|s, scene, _| s.frame_span(scene, span));
        Some(span)
    });
    if let Some(Some(span)) = hit {
        ui.select(Some(span), false);
    }
}

/// Follows the wrapper's size (window resizes, the detail panel opening) and repaints.
pub(super) fn observe_size(ui: Ui, wrap: web_sys::HtmlElement) {
    let core = ui.core;
    let resize = {
        let wrap = wrap.clone();
        move || {
            let (w, h) = (wrap.client_width() as f64, wrap.client_height() as f64);
            if w > 0.0 && h > 0.0 {
                core.try_update_value(|f| {
                    f.session.vp.resize(w, h);
                    f.hover = None;
                });
                // What was under the pointer has moved.
                ui.tip.set(None);
                schedule(core);
            }
        }
    };
    observe(wrap, resize);
}

/// Calls `on_resize` now and whenever `element` changes size, until the view goes.
pub fn observe(element: web_sys::HtmlElement, on_resize: impl Fn() + 'static) {
    on_resize();
    let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |_entries: js_sys::Array| on_resize());
    let Ok(observer) = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()) else { return };
    observer.observe(&element);
    // Both live until the view goes: the observer calls the closure.
    let kept = send_wrapper::SendWrapper::new((observer, callback));
    on_cleanup(move || kept.0.disconnect());
}

pub(super) fn install_system_theme_listener(core: Core) {
    let Ok(Some(query)) = window().match_media("(prefers-color-scheme: dark)") else { return };
    let callback = Closure::<dyn FnMut()>::new(move || schedule(core));
    let _ = query.add_event_listener_with_callback("change", callback.as_ref().unchecked_ref());
    let query = send_wrapper::SendWrapper::new((query, callback));
    on_cleanup(move || {
        let (query, callback) = &*query;
        let _ = query.remove_event_listener_with_callback("change", callback.as_ref().unchecked_ref());
    });
}
