//! The flame graph: a canvas driven by `view` (draw lists, hit testing), with an overview strip, a tooltip,
//! the span detail panel, search and findings.
//!
//! Frames stay off the reactive path: pointer and key events change the `Flame` (a stored, non-reactive
//! value) and ask for one animation frame; only what the DOM shows (selection, tooltip, search status,
//! legend) goes through signals. Signals are never set while the `Flame` is borrowed.

#[cfg(test)]
mod browser_tests;
mod detail;
mod paint;

use super::browser::{is_typing_target, perf_enabled};
use crate::format::{count, duration};
use super::state::{AppState, LoadedFile};
use crate::analysis::search;
use crate::analysis::findings::{Finding, FindingKind};
use crate::analysis::TraceAnalysis;
use crate::model::{SpanIx, Trace};
use crate::view::colour::{colours, css, Colouring, Colours, Legend};
use crate::view::draw::{hit, DrawList, Scene};
use crate::view::runs::LookKey;
use crate::view::viewport::{Viewport, ROW_HEIGHT};
use crate::view::{relative, FlameModel, Matches, Move};
use leptos::html;
use leptos::prelude::*;
use paint::{Frame, Painter};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Wheel and key zoom steps.
const ZOOM_IN: f64 = 0.8;
/// A keyboard pan moves this share of the width.
const PAN_SHARE: f64 = 0.15;
/// A press that moves less than this (px) is a click, not a drag.
const CLICK_SLOP: f64 = 4.0;
/// Height of the overview strip, CSS px.
const MINIMAP_HEIGHT: f64 = 40.0;

/// Everything a frame needs; not reactive.
pub struct Flame {
    file: Rc<LoadedFile>,
    ix: usize,
    model: FlameModel,
    colours: Colours,
    vp: Viewport,
    list: DrawList,
    /// What `list` was built for: a frame that changes none of it (hover, selection, cursor, theme) reuses it.
    list_for: Option<(Viewport, LookKey, bool)>,
    matches: Option<Matches>,
    show_critical: bool,
    hover: Option<SpanIx>,
    selected: Option<SpanIx>,
    cursor_x: Option<f64>,
    painter: Option<Painter>,
    minimap: Option<Painter>,
    /// Overview profile for the minimap's width: (bins, spans running, error starts).
    density: (usize, Vec<u32>, Vec<bool>),
    frame_pending: bool,
    frames: u64,
}

type Core = StoredValue<Flame, LocalStorage>;

impl Flame {
    fn new(file: Rc<LoadedFile>, ix: usize) -> Flame {
        let (trace, analysis) = (&file.set.traces[ix], &file.analyses[ix]);
        let model = FlameModel::new(&file.set, trace, analysis);
        let colours = colours(&file.set, trace, &analysis.stats.self_ns, Colouring::Service);
        let vp = Viewport::new(model.total_ns, analysis.layout.row_count(), 800.0, 400.0);
        Flame {
            model,
            colours,
            vp,
            list: DrawList::default(),
            list_for: None,
            matches: None,
            show_critical: true,
            hover: None,
            selected: None,
            cursor_x: None,
            painter: None,
            minimap: None,
            density: (0, Vec::new(), Vec::new()),
            frame_pending: false,
            frames: 0,
            file,
            ix,
        }
    }

    fn trace(&self) -> &Trace {
        &self.file.set.traces[self.ix]
    }

    fn analysis(&self) -> &TraceAnalysis {
        &self.file.analyses[self.ix]
    }

    /// A span's bar as (x0, x1, y) in canvas px.
    fn span_rect(&self, span: SpanIx) -> Option<(f64, f64, f64)> {
        let row = *self.analysis().layout.row.get(span as usize)? as usize;
        let (s, e) = self.model.rel(self.trace(), span);
        Some((self.vp.x_of(s), self.vp.x_of(e).max(self.vp.x_of(s) + 1.0), self.vp.y_of_row(row)))
    }

    fn hit(&self, x: f64, y: f64) -> Option<SpanIx> {
        hit(&self.analysis().layout, &self.model, &self.vp, x, y)
    }

    /// Frames a span (double-click, search, findings, keyboard).
    fn frame_span(&mut self, span: SpanIx, always: bool) {
        let (s, e) = self.model.rel(self.trace(), span);
        let row = self.analysis().layout.row[span as usize] as usize;
        if always {
            self.vp.frame(s, e, Some(row));
        } else {
            self.vp.reveal(s, e, row);
        }
    }

    fn paint(&mut self) {
        let perf = perf_enabled().then(|| window().performance()).flatten();
        if let Some(perf) = &perf {
            let _ = perf.mark("spanlens:frame-start");
        }
        let theme = paint::theme();
        if let Some(mut painter) = self.painter.take() {
            {
                let file = self.file.clone();
                let (trace, analysis) = (&file.set.traces[self.ix], &file.analyses[self.ix]);
                let scene = Scene {
                    trace,
                    layout: &analysis.layout,
                    model: &self.model,
                    colours: &self.colours,
                    matches: self.matches.as_ref(),
                    show_critical: self.show_critical,
                };
                let built_for = (self.vp, scene.look_key(), self.show_critical);
                if self.list_for != Some(built_for) {
                    self.list.build(&scene, &self.vp);
                    self.list_for = Some(built_for);
                }
                if let Some(perf) = &perf {
                    // The draw list's share of the frame, for the browser benchmark.
                    let _ = perf.measure_with_start_mark("spanlens:frame-list", "spanlens:frame-start");
                }
                painter.begin(self.vp.width, self.vp.height, theme.bg);
                painter.flame(&Frame { set: &file.set, trace, vp: &self.vp, list: &self.list, theme });
                let hover = self.hover.filter(|&h| Some(h) != self.selected).and_then(|h| self.span_rect(h));
                painter.outline(&self.vp, hover, theme.text, 1.0);
                painter.outline(&self.vp, self.selected.and_then(|s| self.span_rect(s)), theme.accent, 2.0);
                painter.axis(&self.vp, theme, self.cursor_x);
            }
            let canvas = painter.canvas.clone();
            self.painter = Some(painter);
            // The visible window, for tests and tools that read the page (relative ns).
            let _ = canvas.set_attribute("data-window", &format!("{:.0} {:.0}", self.vp.start_ns, self.vp.end_ns()));
            let _ = canvas.set_attribute("data-scroll", &format!("{:.0}", self.vp.scroll_top));
            let _ = canvas.set_attribute("data-bars", &self.list.bars.len().to_string());
            let _ = canvas.set_attribute("data-selected", &self.selected.map(|s| s.to_string()).unwrap_or_default());
        }
        self.paint_minimap(theme);
        self.frames += 1;
        if let Some(perf) = perf {
            // Reading a pixel makes the canvas rasterize now, so the measure includes the drawing itself.
            if let Some(p) = &self.painter {
                let _ = p.ctx.get_image_data(0.0, 0.0, 1.0, 1.0);
            }
            // `spanlens:frame` measures (draw list + canvas calls) for the browser benchmark.
            let _ = perf.measure_with_start_mark("spanlens:frame", "spanlens:frame-start");
            perf.clear_marks_with_mark_name("spanlens:frame-start");
        }
        if self.frames == 1 {
            super::browser::mark("spanlens:first-frame");
        }
    }

    fn paint_minimap(&mut self, theme: &paint::Theme) {
        let Some(mut mini) = self.minimap.take() else { return };
        // The strip spans the whole section, also when the detail panel narrows the flame graph.
        let width = (mini.canvas.client_width() as f64).max(1.0);
        let bins = width.round().max(1.0) as usize;
        if self.density.0 != bins {
            let (counts, errors) = self.model.density(self.trace(), bins);
            self.density = (bins, counts, errors);
        }
        mini.begin(width, MINIMAP_HEIGHT, theme.axis_bg);
        mini.minimap(&self.density.1, &self.density.2, &self.vp, theme, MINIMAP_HEIGHT);
        self.minimap = Some(mini);
    }
}

/// Asks for one animation frame (several requests before it runs make one frame).
fn schedule(core: Core) {
    let pending = core.try_update_value(|f| std::mem::replace(&mut f.frame_pending, true)).unwrap_or(true);
    if !pending {
        request_animation_frame(move || {
            core.try_update_value(|f| {
                f.frame_pending = false;
                f.paint();
            });
        });
    }
}

/// What the DOM shows of the search.
#[derive(Clone, Debug, Default, PartialEq)]
struct SearchStatus {
    count: usize,
    /// 1-based position of the match on screen, after Enter.
    at: Option<usize>,
    error: Option<String>,
    active: bool,
}

/// The tooltip: a span and where the pointer is (canvas px).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Tip {
    span: SpanIx,
    x: f64,
    y: f64,
}

/// Handles shared by the flame's components.
#[derive(Clone, Copy)]
struct Ui {
    core: Core,
    state: AppState,
    tip: RwSignal<Option<Tip>>,
    search: RwSignal<SearchStatus>,
    search_at: StoredValue<Option<usize>>,
}

impl Ui {
    /// Selects a span (or clears the selection) in the app state, optionally bringing it into view; the
    /// flame follows the state (`follow_selection`).
    fn select(&self, span: Option<SpanIx>, reveal: bool) {
        self.state.select(span, reveal);
    }

    /// The selected span of this flame's trace.
    fn selected_untracked(&self) -> Option<SpanIx> {
        let (file, ix) = self.core.with_value(|f| (f.file.id, f.ix));
        self.state.selection.get_untracked().filter(|s| s.file == file && s.trace == ix).map(|s| s.span)
    }

    /// Moves to the next (or previous) search match: selects and reveals it.
    fn step_match(&self, back: bool) {
        let next = self.core.with_value(|f| {
            let m = f.matches.as_ref()?;
            if m.ordered.is_empty() {
                return None;
            }
            let n = m.ordered.len();
            let at = match (self.search_at.get_value(), back) {
                (None, false) => 0,
                (None, true) => n - 1,
                (Some(i), false) => (i + 1) % n,
                (Some(i), true) => (i + n - 1) % n,
            };
            Some((at, m.ordered[at]))
        });
        let Some((at, span)) = next else { return };
        self.search_at.set_value(Some(at));
        self.search.update(|s| s.at = Some(at + 1));
        self.select(Some(span), true);
    }

    fn run_search(&self, text: &str) {
        self.search_at.set_value(None);
        if text.trim().is_empty() {
            self.core.update_value(|f| f.matches = None);
            self.search.set(SearchStatus::default());
        } else {
            let status = match search::parse(text) {
                Ok(query) => self.core.try_update_value(|f| {
                    let file = f.file.clone();
                    let trace = &file.set.traces[f.ix];
                    let matches = Matches::new(trace, &file.analyses[f.ix].layout, query.matching(&file.set, trace));
                    let count = matches.ordered.len();
                    f.matches = Some(matches);
                    SearchStatus { count, at: None, error: None, active: true }
                }),
                Err(err) => Some(SearchStatus {
                    error: Some(format!("column {}: {}", err.position + 1, err.message)),
                    active: true,
                    ..Default::default()
                }),
            };
            self.search.set(status.unwrap_or_default());
        }
        schedule(self.core);
    }
}

#[component]
pub fn FlameView(state: AppState, file: Rc<LoadedFile>, ix: usize) -> impl IntoView {
    let core: Core = StoredValue::new_local(Flame::new(file.clone(), ix));
    let ui = Ui {
        core,
        state,
        tip: RwSignal::new(None),
        search: RwSignal::new(SearchStatus::default()),
        search_at: StoredValue::new(None),
    };
    let colouring = RwSignal::new(Colouring::Service);
    let legend = RwSignal::new(core.with_value(|f| f.colours.legend.clone()));
    let critical = RwSignal::new(true);
    let canvas_ref: NodeRef<html::Canvas> = NodeRef::new();
    let mini_ref: NodeRef<html::Canvas> = NodeRef::new();
    let wrap_ref: NodeRef<html::Div> = NodeRef::new();
    let search_ref: NodeRef<html::Input> = NodeRef::new();

    // Canvas set-up once mounted: painters, and size from the wrapper (which follows the window and panel).
    Effect::new(move |_| {
        let (Some(canvas), Some(mini), Some(wrap)) = (canvas_ref.get(), mini_ref.get(), wrap_ref.get()) else { return };
        core.update_value(|f| {
            f.painter = Painter::new(canvas.into());
            f.minimap = Painter::new(mini.into());
        });
        observe_size(ui, wrap.into());
    });
    // Repaint when the theme changes (toolbar switch or system setting).
    Effect::new(move |_| {
        state.theme.track();
        schedule(core);
    });
    install_system_theme_listener(core);
    install_keys(ui, search_ref);
    // The flame follows the one selection: draws it, and brings it into view when asked to.
    let (file_id, trace_ix) = (file.id, ix);
    Effect::new(move |_| {
        let selection = state.selected_in(file_id, trace_ix);
        core.update_value(|f| {
            f.selected = selection.map(|s| s.span);
            if let Some(s) = selection.filter(|s| s.reveal) {
                f.frame_span(s.span, false);
            }
        });
        schedule(core);
    });

    let on_colouring = move |ev: leptos::ev::Event| {
        let Some(mode) = Colouring::from_str(&event_target_value(&ev)) else { return };
        colouring.set(mode);
        let new = core.try_update_value(|f| {
            let file = f.file.clone();
            f.colours = colours(&file.set, &file.set.traces[f.ix], &file.analyses[f.ix].stats.self_ns, mode);
            f.colours.legend.clone()
        });
        if let Some(c) = new {
            legend.set(c);
        }
        schedule(core);
    };
    let on_critical = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        critical.set(on);
        core.update_value(|f| f.show_critical = on);
        schedule(core);
    };
    let skew_file = file.clone();
    let on_skew = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let file = skew_file.clone();
        leptos::task::spawn_local(async move {
            // Cancelled: the box goes back to what is on screen.
            if !super::loading::reanalyse(state, file.clone(), input.checked()).await {
                input.set_checked(file.skew_adjusted);
            }
        });
    };
    let reset = move |_| {
        core.update_value(|f| f.vp.reset());
        schedule(core);
    };

    view! {
        <section class="flame" data-testid="flame" aria-label="Flame graph">
            <div class="flame-toolbar">
                <input
                    type="search"
                    class="search"
                    node_ref=search_ref
                    data-testid="search"
                    placeholder="Search spans  ( / )   e.g. service:db status:error >10ms"
                    aria-label="Search spans"
                    title=search_help()
                    on:input=move |ev| ui.run_search(&event_target_value(&ev))
                    on:keydown=move |ev: web_sys::KeyboardEvent| match ev.key().as_str() {
                        "Enter" => {
                            ev.prevent_default();
                            ui.step_match(ev.shift_key());
                        }
                        "Escape" => {
                            let input: web_sys::HtmlInputElement = event_target(&ev);
                            input.set_value("");
                            ui.run_search("");
                            let _ = input.blur();
                        }
                        _ => {}
                    }
                />
                <SearchStatusView status=ui.search />
                <button class="small" title="Previous match (Shift+Enter)" on:click=move |_| ui.step_match(true)>"↑"</button>
                <button class="small" title="Next match (Enter)" on:click=move |_| ui.step_match(false)>"↓"</button>
                <select data-testid="colouring" aria-label="Colouring" on:change=on_colouring>
                    {Colouring::ALL.iter().map(|c| view! {
                        <option value=c.as_str() selected=move || colouring.get() == *c>{c.label()}</option>
                    }).collect_view()}
                </select>
                <label class="toggle" title="Draw the critical path: the chain of work that sets the end-to-end time">
                    <input type="checkbox" data-testid="critical-toggle" prop:checked=move || critical.get() on:change=on_critical />
                    "Critical path"
                </label>
                <label class="toggle" title="Shift spans whose clocks disagree with their caller's into it (opt-in; the panel shows each shift and the raw time)">
                    <input type="checkbox" data-testid="skew-toggle" prop:checked=file.skew_adjusted on:change=on_skew />
                    "Adjust clock skew"
                </label>
                <button class="small" data-testid="reset-view" title="Show the whole trace (0)" on:click=reset>"Reset view"</button>
                <span class="keys muted" title=KEY_HELP>"Keyboard"</span>
            </div>
            <LegendView legend />
            <canvas class="minimap" node_ref=mini_ref data-testid="minimap" aria-label="Overview: drag the window to move"
                on:mousedown=move |ev: web_sys::MouseEvent| minimap_drag(core, ev)
            ></canvas>
            <div class="flame-main">
                <div class="flame-canvas-wrap" node_ref=wrap_ref>
                    <canvas
                        node_ref=canvas_ref
                        data-testid="flame-canvas"
                        tabindex="0"
                        aria-label="Flame graph of the trace: wheel to zoom, drag to pan, click a bar for details"
                        on:wheel=move |ev: web_sys::WheelEvent| on_wheel(core, ev)
                        on:mousedown=move |ev: web_sys::MouseEvent| on_press(ui, ev)
                        on:mousemove=move |ev: web_sys::MouseEvent| on_move(ui, ev)
                        on:mouseleave=move |_| {
                            core.update_value(|f| { f.hover = None; f.cursor_x = None; });
                            ui.tip.set(None);
                            schedule(core);
                        }
                        on:dblclick=move |ev: web_sys::MouseEvent| {
                            let span = core.with_value(|f| f.hit(ev.offset_x() as f64, ev.offset_y() as f64));
                            if let Some(s) = span {
                                core.update_value(|f| f.frame_span(s, true));
                                ui.select(Some(s), false);
                            }
                        }
                    ></canvas>
                    <Tooltip ui />
                </div>
                {move || state.selected_in(file_id, trace_ix).map(|selection| {
                    let span = selection.span;
                    let file = core.with_value(|f| f.file.clone());
                    view! { <detail::SpanDetail file ix span on_select=Callback::new(move |s: Option<SpanIx>| ui.select(s, s.is_some())) /> }
                })}
            </div>
            <Findings file=file.clone() ix ui />
        </section>
    }
}

const KEY_HELP: &str = "Wheel or W/S or +/−: zoom at the pointer · drag or A/D or ←/→: pan · Shift+wheel or ↑/↓: scroll rows · \
double-click: frame a span · 0: reset · /: search · Enter/Shift+Enter: next/previous match · \
with a span selected, ↑ parent, ↓ first child, ←/→ siblings, F frame it · Esc: clear";

fn search_help() -> String {
    search::HELP.iter().map(|(syntax, meaning)| format!("{syntax}  {meaning}")).collect::<Vec<_>>().join("\n")
}

#[component]
fn SearchStatusView(status: RwSignal<SearchStatus>) -> impl IntoView {
    view! {
        <span class="search-status" data-testid="search-status" class:bad=move || status.with(|s| s.error.is_some())>
            {move || status.with(|s| match (&s.error, s.active) {
                (Some(err), _) => err.clone(),
                (None, false) => String::new(),
                (None, true) => match s.at {
                    Some(at) => format!("{at} / {}", count(s.count as u64)),
                    None => format!("{} matches", count(s.count as u64)),
                },
            })}
        </span>
    }
}

#[component]
fn LegendView(legend: RwSignal<Legend>) -> impl IntoView {
    view! {
        <div class="legend" data-testid="legend">
            {move || legend.with(|c| {
                let more = (c.more > 0).then(|| view! { <span class="muted">{format!("+{} more", c.more)}</span> });
                view! {
                    {c.entries.iter().map(|e| view! {
                        <span class="entry"><i style=format!("background:{}", css(e.rgb))></i>{e.label.clone()}</span>
                    }).collect_view()}
                    {more}
                }
            })}
            <span class="marks">
                <span class="entry"><i class="mark-error"></i>"error"</span>
                <span class="entry"><i class="mark-orphan"></i>"orphan (broken propagation)"</span>
                <span class="entry"><i class="mark-skew"></i>"skew-shifted"</span>
                <span class="entry"><i class="mark-critical"></i>"critical path"</span>
            </span>
        </div>
    }
}

#[component]
fn Tooltip(ui: Ui) -> impl IntoView {
    move || {
        let tip = ui.tip.get()?;
        let (name, service, dur, self_ns, share, width) = ui.core.try_with_value(|f| {
            let set = &f.file.set;
            let span = &f.trace().spans[tip.span as usize];
            let analysis = f.analysis();
            let contribution = analysis.critical_path.contribution_ns[tip.span as usize];
            let share = contribution as f64 / f.model.critical_total_ns.max(1) as f64;
            (
                set.str(span.name).to_string(),
                set.str(span.service).to_string(),
                span.duration_ns(),
                analysis.stats.self_ns[tip.span as usize],
                share,
                f.vp.width,
            )
        })?;
        // Keep the tooltip inside the canvas: flip it left of the pointer near the right edge.
        let left = if tip.x > width - 280.0 { (tip.x - 290.0).max(0.0) } else { tip.x + 14.0 };
        Some(view! {
            <div class="flame-tooltip" data-testid="tooltip" style=format!("left:{left:.0}px;top:{:.0}px", tip.y + 14.0)>
                <div class="name">{name}</div>
                <div class="muted">{service}</div>
                <div>{format!("duration {} · self {}", duration(dur), duration(self_ns))}</div>
                <div>{format!("critical path {:.1}%", share * 100.0)}</div>
            </div>
        })
    }
}

/// Findings are listed this many at a time: a big trace can have tens of thousands (one per repeated
/// pattern), and the page stays small unless the user asks for more.
const FINDINGS_PAGE: usize = 100;

#[component]
fn Findings(file: Rc<LoadedFile>, ix: usize, ui: Ui) -> impl IntoView {
    let n = findings_of(&file, ix).len();
    // Kinds in first-seen order (errors first, as the analysis lists them), with their counts.
    let mut kinds: Vec<(FindingKind, usize)> = Vec::new();
    for f in findings_of(&file, ix) {
        match kinds.iter_mut().find(|(k, _)| *k == f.kind) {
            Some((_, c)) => *c += 1,
            None => kinds.push((f.kind, 1)),
        }
    }
    let kind = RwSignal::new(None::<FindingKind>);
    let shown = RwSignal::new(FINDINGS_PAGE);
    let filter = move |k: Option<FindingKind>| {
        kind.set(k);
        shown.set(FINDINGS_PAGE);
    };
    let chips = (kinds.len() > 1).then(|| {
        let chip = move |k: Option<FindingKind>, label: String| {
            view! {
                <button class="chip" aria-pressed=move || (kind.get() == k).to_string() on:click=move |_| filter(k)>
                    {label}
                </button>
            }
        };
        view! {
            <div class="kinds" role="group" aria-label="Finding kinds">
                {chip(None, format!("all {}", count(n as u64)))}
                {kinds.iter().map(|(k, c)| chip(Some(*k), format!("{} {}", k.as_str(), count(*c as u64)))).collect_view()}
            </div>
        }
    });
    let list = {
        let file = send_wrapper::SendWrapper::new(file.clone());
        move || {
            let kind = kind.get();
            let matching: Vec<&Finding> = findings_of(&file, ix).iter().filter(|f| kind.is_none_or(|k| k == f.kind)).collect();
            let more = matching.len().saturating_sub(shown.get());
            let items = matching.into_iter().take(shown.get()).map(|f| finding_item(f, ui)).collect_view();
            view! {
                <ul>{items}</ul>
                {(more > 0).then(|| view! {
                    <button class="more" on:click=move |_| shown.update(|s| *s += FINDINGS_PAGE)>
                        {format!("Show {} more (of {})", count(more.min(FINDINGS_PAGE) as u64), count(more as u64))}
                    </button>
                })}
            }
        }
    };
    view! {
        <section class="panel findings" data-testid="findings">
            <h2>{format!("Findings ({})", count(n as u64))}</h2>
            {(n == 0).then(|| view! { <p class="muted">"Nothing stands out in this trace."</p> })}
            {chips}
            {list}
        </section>
    }
}

fn findings_of(file: &LoadedFile, ix: usize) -> &[Finding] {
    file.analyses.get(ix).map_or(&[], |a| &a.findings)
}

/// One finding: a click selects its first span and frames all of them.
fn finding_item(finding: &Finding, ui: Ui) -> impl IntoView {
    let spans = finding.spans.clone();
    let go = move |_| {
        let Some(&first) = spans.first() else { return };
        ui.core.update_value(|f| {
            let (mut lo, mut hi, mut row) = (f64::MAX, f64::MIN, usize::MAX);
            for &s in &spans {
                let (a, b) = f.model.rel(f.trace(), s);
                lo = lo.min(a);
                hi = hi.max(b);
                row = row.min(f.analysis().layout.row[s as usize] as usize);
            }
            f.vp.frame(lo, hi, Some(row));
        });
        ui.select(Some(first), false);
    };
    view! {
        <li>
            <button class="finding" data-kind=finding.kind.as_str() on:click=go disabled=finding.spans.is_empty()>
                <span class="kind">{finding.kind.as_str()}</span>
                <span class="message">{finding.message.clone()}</span>
            </button>
        </li>
    }
}

// ---------------------------------------------------------------------------------------------
// Input
// ---------------------------------------------------------------------------------------------

/// Wheel: vertical wheel zooms at the pointer (pinch arrives as a ctrl+wheel), horizontal scroll pans,
/// Shift+wheel scrolls rows.
fn on_wheel(core: Core, ev: web_sys::WheelEvent) {
    ev.prevent_default();
    let scale = match ev.delta_mode() {
        1 => ROW_HEIGHT, // lines
        2 => 400.0,      // pages
        _ => 1.0,
    };
    let (dx, dy) = (ev.delta_x() * scale, ev.delta_y() * scale);
    let x = ev.offset_x() as f64;
    core.update_value(|f| {
        if ev.shift_key() {
            f.vp.pan_px(0.0, dy + dx);
        } else if dx.abs() > dy.abs() {
            f.vp.pan_px(dx, 0.0);
        } else {
            // Trackpad pinches send small ctrl deltas: scale them up so pinch feels like the wheel.
            let step = if ev.ctrl_key() { dy * 0.01 } else { dy / 100.0 };
            f.vp.zoom_at(ZOOM_IN.powf(-step.clamp(-5.0, 5.0)), x);
        }
    });
    schedule(core);
}

/// Press on the canvas: drag pans (both ways); a press that does not move is a click that selects.
fn on_press(ui: Ui, ev: web_sys::MouseEvent) {
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
            core.update_value(|f| f.vp.pan_px(px - x, py - y));
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
fn track_drag(on_move: impl Fn(web_sys::MouseEvent) + 'static, on_up: impl FnOnce() + 'static) {
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

fn on_move(ui: Ui, ev: web_sys::MouseEvent) {
    let (x, y) = (ev.offset_x() as f64, ev.offset_y() as f64);
    let span = ui.core.try_update_value(|f| {
        f.cursor_x = Some(x);
        f.hover = f.hit(x, y);
        f.hover
    });
    ui.tip.set(span.flatten().map(|span| Tip { span, x, y }));
    schedule(ui.core);
}

/// Press on the overview strip: the visible window jumps there (centred), then follows the drag.
fn minimap_drag(core: Core, ev: web_sys::MouseEvent) {
    ev.prevent_default();
    let Some(canvas) = ev.current_target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return };
    let place = move |client_x: f64| {
        let rect = canvas.get_bounding_client_rect();
        let x = client_x - rect.left();
        core.update_value(|f| {
            let t = x / rect.width().max(1.0) * f.vp.total_ns;
            f.vp.start_ns = t - f.vp.window_ns / 2.0;
            f.vp.pan_px(0.0, 0.0); // clamps
        });
        schedule(core);
    };
    place(ev.client_x() as f64);
    track_drag(move |ev| place(ev.client_x() as f64), || {});
}

/// Keyboard, as Perfetto and speedscope users expect (see `KEY_HELP`). Ignored while typing elsewhere.
fn install_keys(ui: Ui, search: NodeRef<html::Input>) {
    let core = ui.core;
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() || is_typing_target(ev.target()) {
            return;
        }
        let selected = ui.selected_untracked();
        let key = ev.key();
        let mut handled = true;
        let mut moved_to = None;
        core.update_value(|f| {
            let anchor = f.cursor_x.unwrap_or(f.vp.width / 2.0);
            let pan = f.vp.width * PAN_SHARE;
            match (key.as_str(), selected) {
                ("w" | "W" | "+" | "=", _) => f.vp.zoom_at(ZOOM_IN, anchor),
                ("s" | "S" | "-" | "_", _) => f.vp.zoom_at(1.0 / ZOOM_IN, anchor),
                ("a" | "A", _) | ("ArrowLeft", None) => f.vp.pan_px(-pan, 0.0),
                ("d" | "D", _) | ("ArrowRight", None) => f.vp.pan_px(pan, 0.0),
                ("ArrowUp", None) => f.vp.pan_px(0.0, -ROW_HEIGHT),
                ("ArrowDown", None) => f.vp.pan_px(0.0, ROW_HEIGHT),
                ("ArrowUp", Some(s)) => moved_to = relative(f.trace(), s, Move::Parent),
                ("ArrowDown", Some(s)) => moved_to = relative(f.trace(), s, Move::FirstChild),
                ("ArrowLeft", Some(s)) => moved_to = relative(f.trace(), s, Move::PrevSibling),
                ("ArrowRight", Some(s)) => moved_to = relative(f.trace(), s, Move::NextSibling),
                ("f" | "F", Some(s)) => f.frame_span(s, true),
                ("0", _) => f.vp.reset(),
                _ => handled = false,
            }
        });
        match key.as_str() {
            "/" => {
                if let Some(input) = search.get_untracked() {
                    let _ = input.focus();
                    input.select();
                }
            }
            "Escape" => ui.select(None, false),
            _ if handled => {
                if moved_to.is_some() {
                    ui.select(moved_to, true);
                }
                schedule(core);
            }
            _ => return,
        }
        ev.prevent_default();
    });
    on_cleanup(move || handle.remove());
}

/// Follows the wrapper's size (window resizes, the detail panel opening) and repaints.
fn observe_size(ui: Ui, wrap: web_sys::HtmlElement) {
    let core = ui.core;
    let resize = {
        let wrap = wrap.clone();
        move || {
            let (w, h) = (wrap.client_width() as f64, wrap.client_height() as f64);
            if w > 0.0 && h > 0.0 {
                core.try_update_value(|f| {
                    f.vp.resize(w, h);
                    f.hover = None;
                });
                // What was under the pointer has moved.
                ui.tip.set(None);
                schedule(core);
            }
        }
    };
    resize();
    let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |_entries: js_sys::Array| resize());
    let Ok(observer) = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()) else { return };
    observer.observe(&wrap);
    // Both live until the view goes: the observer calls the closure.
    let kept = send_wrapper::SendWrapper::new((observer, callback));
    on_cleanup(move || kept.0.disconnect());
}

fn install_system_theme_listener(core: Core) {
    let Ok(Some(query)) = window().match_media("(prefers-color-scheme: dark)") else { return };
    let callback = Closure::<dyn FnMut()>::new(move || schedule(core));
    let _ = query.add_event_listener_with_callback("change", callback.as_ref().unchecked_ref());
    let query = send_wrapper::SendWrapper::new((query, callback));
    on_cleanup(move || {
        let (query, callback) = &*query;
        let _ = query.remove_event_listener_with_callback("change", callback.as_ref().unchecked_ref());
    });
}
