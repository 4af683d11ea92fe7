//! The flame graph: a canvas driven by `view` (draw lists, hit testing, the interaction session), with an
//! overview strip, a tooltip, the span detail panel, search and findings. By concern: this file (the
//! component and the frame state), `toolbar`, `input` (pointer and keys), `findings`, `paint`, `detail`.
//!
//! Frames stay off the reactive path: pointer and key events change the `Flame` (a stored, non-reactive
//! value) and ask for one animation frame; only what the DOM shows (selection, tooltip, search status,
//! legend) goes through signals. Signals are never set while the `Flame` is borrowed.

#[cfg(test)]
mod browser_tests;
pub mod detail;
mod findings;
mod input;
mod paint;
pub use paint::{theme, Painter};
pub use input::{observe, track_drag, wheel_px};
mod toolbar;

use crate::ui::platform::browser::perf_enabled;
use crate::ui::state::{AppState, LoadedFile, Look};
use crate::analysis::search;
use crate::analysis::TraceAnalysis;
use crate::format::duration;
use crate::model::{SpanIx, Trace};
use crate::view::axis::Clock;
use crate::view::colour::{colours, Colouring, Colours, Legend};
use crate::view::draw::{hit, DrawList, Scene};
use crate::view::interaction::{self, Command, Response, Session};
use crate::view::runs::LookKey;
use crate::view::viewport::Viewport;
use crate::view::{FlameModel, Matches};
use leptos::html;
use leptos::prelude::*;
use paint::Frame;
use std::rc::Rc;

/// Height of the overview strip, CSS px.
const MINIMAP_HEIGHT: f64 = 40.0;

/// Everything a frame needs; not reactive.
pub struct Flame {
    file: Rc<LoadedFile>,
    ix: usize,
    /// Made with the analysis (`LoadedFile::looks`), shared.
    model: std::sync::Arc<FlameModel>,
    colours: Colours,
    /// The view, the selection as drawn, the pointer and the match stepped to (plain Rust, `view::interaction`).
    session: Session,
    list: DrawList,
    /// What `list` was built for: a frame that changes none of it (hover, selection, cursor, theme) reuses it.
    list_for: Option<(Viewport, LookKey, bool)>,
    matches: Option<Matches>,
    show_critical: bool,
    hover: Option<SpanIx>,
    painter: Option<Painter>,
    minimap: Option<Painter>,
    /// Overview profile for the minimap's width: (bins, spans running, error starts).
    density: (usize, Vec<u32>, Vec<bool>),
    frame_pending: bool,
    frames: u64,
    /// Where the window goes after each frame (the URL, links and the parent page read it).
    look: RwSignal<Look>,
    colouring: Colouring,
    /// How the axis says times (the Times choice).
    clock: Clock,
}

type Core = StoredValue<Flame, LocalStorage>;

impl Flame {
    fn new(file: Rc<LoadedFile>, ix: usize, look: RwSignal<Look>) -> Flame {
        let rows = file.analyses[ix].layout.row_count();
        let first = &file.looks[ix];
        let (model, colours) = (first.model.clone(), first.colours.clone());
        let session = Session::new(Viewport::new(model.total_ns, rows, 800.0, 400.0));
        Flame {
            model,
            colours,
            session,
            list: DrawList::default(),
            list_for: None,
            matches: None,
            show_critical: true,
            hover: None,
            painter: None,
            minimap: None,
            density: (0, Vec::new(), Vec::new()),
            frame_pending: false,
            frames: 0,
            look,
            colouring: Colouring::Service,
            clock: Clock::Relative,
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
        Some((self.session.vp.x_of(s), self.session.vp.x_of(e).max(self.session.vp.x_of(s) + 1.0), self.session.vp.y_of_row(row)))
    }

    fn hit(&self, x: f64, y: f64) -> Option<SpanIx> {
        hit(&self.analysis().layout, &self.model, &self.session.vp, x, y)
    }

    /// Lends the interaction session what its commands read (the trace, its layout, the model, the search
    /// matches in stepping order) beside itself.
    fn with_session<R>(&mut self, act: impl FnOnce(&mut Session, interaction::Scene, &[SpanIx]) -> R) -> R {
        let Flame { file, ix, model, session, matches, .. } = self;
        let scene = interaction::Scene { trace: &file.set.traces[*ix], layout: &file.analyses[*ix].layout, model };
        act(session, scene, matches.as_ref().map_or(&[], |m| &m.ordered))
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
                let built_for = (self.session.vp, scene.look_key(), self.show_critical);
                if self.list_for != Some(built_for) {
                    self.list.build(&scene, &self.session.vp);
                    self.list_for = Some(built_for);
                }
                if let Some(perf) = &perf {
                    // The draw list's share of the frame, for the browser benchmark.
                    let _ = perf.measure_with_start_mark("spanlens:frame-list", "spanlens:frame-start");
                }
                painter.begin(self.session.vp.width, self.session.vp.height, theme.bg);
                painter.flame(&Frame { set: &file.set, trace, vp: &self.session.vp, clock: self.clock, list: &self.list, theme });
                let hover = self.hover.filter(|&h| Some(h) != self.session.selected).and_then(|h| self.span_rect(h));
                painter.outline(&self.session.vp, hover, theme.text, 1.0);
                painter.outline(&self.session.vp, self.session.selected.and_then(|s| self.span_rect(s)), theme.accent, 2.0);
                let first_tick = painter.axis(&self.session.vp, self.clock, theme, self.session.cursor_x);
                let _ = painter.canvas.set_attribute("data-axis", first_tick.as_deref().unwrap_or(""));
            }
            let canvas = painter.canvas.clone();
            self.painter = Some(painter);
            // The visible window, for tests and tools that read the page (relative ns).
            let _ = canvas.set_attribute("data-window", &format!("{:.0} {:.0}", self.session.vp.start_ns, self.session.vp.end_ns()));
            let _ = canvas.set_attribute("data-scroll", &format!("{:.0}", self.session.vp.scroll_top));
            let _ = canvas.set_attribute("data-bars", &self.list.bars.len().to_string());
            let _ = canvas.set_attribute("data-selected", &self.session.selected.map(|s| s.to_string()).unwrap_or_default());
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
            crate::ui::platform::browser::mark("spanlens:first-frame");
        }
    }

    fn paint_minimap(&mut self, theme: &paint::Theme) {
        let Some(mut mini) = self.minimap.take() else { return };
        // The strip spans the whole section, also when the detail panel narrows the flame graph.
        let width = (mini.canvas.client_width() as f64).max(1.0);
        let bins = width.round().max(1.0) as usize;
        if self.density.0 != bins {
            let (counts, errors) = self.model.density(bins);
            self.density = (bins, counts, errors.into_iter().map(|e| e > 0).collect());
        }
        mini.begin(width, MINIMAP_HEIGHT, theme.axis_bg);
        mini.minimap(&self.density.1, &self.density.2, &self.session.vp, theme, MINIMAP_HEIGHT);
        self.minimap = Some(mini);
    }
}

/// Asks for one animation frame (several requests before it runs make one frame).
fn schedule(core: Core) {
    let pending = core.try_update_value(|f| std::mem::replace(&mut f.frame_pending, true)).unwrap_or(true);
    if !pending {
        request_animation_frame(move || {
            let shown = core.try_update_value(|f| {
                f.frame_pending = false;
                f.paint();
                (f.look, f.session.vp.shared_window())
            });
            // The window as drawn goes into the look (after the `Flame` is let go).
            if let Some((look, window)) = shown {
                if look.with_untracked(|l| l.window) != window {
                    look.update(|l| l.window = window);
                }
            }
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
    /// The matches are a statistics row's spans: what the row was.
    highlight: Option<String>,
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
    legend: RwSignal<Legend>,
    tip: RwSignal<Option<Tip>>,
    search: RwSignal<SearchStatus>,
    search_input: NodeRef<html::Input>,
    /// The colouring of a made trace, whatever the look says.
    held_colouring: Option<Colouring>,
    /// The trace is one a view made (its file is not a loaded one: no clock-skew switch).
    made: bool,
}

impl Ui {
    /// Selects a span (or clears the selection) in the app state, optionally bringing it into view; the
    /// flame follows the state (an effect in `FlameView`).
    fn select(&self, span: Option<SpanIx>, reveal: bool) {
        let (file, ix) = self.core.with_value(|f| (f.file.id, f.ix));
        self.state.select_in(file, ix, span, reveal);
    }

    /// Carries out a command (a key, a button) and what it asks of the app: a redraw, a selection, the
    /// search box.
    fn run(&self, command: Command) {
        let Some(response) = self.core.try_update_value(|f| f.with_session(|s, scene, matches| s.apply(command, scene, matches))) else {
            return;
        };
        match response {
            Response::Redraw => schedule(self.core),
            Response::Select { span, reveal } => {
                if matches!(command, Command::NextMatch | Command::PreviousMatch) {
                    let at = self.core.with_value(|f| f.session.match_at);
                    self.search.update(|s| s.at = at.map(|i| i + 1));
                }
                self.select(span, reveal);
            }
            Response::FocusSearch => {
                if let Some(input) = self.search_input.get_untracked() {
                    let _ = input.focus();
                    input.select();
                }
            }
            Response::Nothing => {}
        }
    }

    /// Frames a finding's spans and selects its first.
    fn frame_finding(&self, spans: &[SpanIx]) {
        let first = self.core.try_update_value(|f| f.with_session(|s, scene, _| s.frame_spans(scene, spans)));
        if let Some(Some(first)) = first {
            self.select(Some(first), false);
        }
    }

    /// Colours the bars another way (and shows its legend).
    fn set_colouring(&self, mode: Colouring) {
        let new = self.core.try_update_value(|f| {
            if f.colouring == mode {
                return None;
            }
            let file = f.file.clone();
            f.colours = colours(&file.set, &file.set.traces[f.ix], &file.analyses[f.ix].stats.self_ns, mode);
            f.colouring = mode;
            Some(f.colours.legend.clone())
        });
        if let Some(Some(legend)) = new {
            self.legend.set(legend);
        }
        schedule(self.core);
    }

    /// Shows the look asked for (a link, `spanlens:view`, a new trace): the search, the window, the colouring.
    fn apply_look(&self) {
        let look = self.state.look.get_untracked();
        if let Some(input) = self.search_input.get_untracked() {
            if input.value() != look.query {
                input.set_value(&look.query);
            }
        }
        self.run_search(&look.query);
        self.core.update_value(|f| f.session.vp.show_shared_window(look.window));
        self.set_colouring(self.held_colouring.unwrap_or(look.colouring));
    }

    fn run_search(&self, text: &str) {
        self.core.update_value(|f| f.session.match_at = None);
        let (file_id, ix) = self.core.with_value(|f| (f.file.id, f.ix));
        let highlight = untrack(|| self.state.highlight_in(file_id, ix));
        if let (true, Some(highlight)) = (text.trim().is_empty(), highlight) {
            // A statistics row's spans, shown as matches while the box is empty.
            self.core.update_value(|f| {
                let file = f.file.clone();
                f.matches = Some(Matches::new(&file.set.traces[f.ix], &file.analyses[f.ix].layout, highlight.spans.to_vec()));
            });
            self.search.set(SearchStatus { count: highlight.spans.len(), active: true, highlight: Some(highlight.label), ..Default::default() });
        } else if text.trim().is_empty() {
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
                    SearchStatus { count, active: true, ..Default::default() }
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
pub fn FlameView(
    state: AppState,
    file: Rc<LoadedFile>,
    ix: usize,
    /// A trace a view made (repeats folded, an aggregate, a comparison): drawn without findings and without
    /// "Show in timeline" (the other tabs show the loaded trace).
    #[prop(optional)]
    made: bool,
    /// A colouring that holds whatever the look says (a comparison's "by change").
    #[prop(optional)]
    colouring: Option<Colouring>,
) -> impl IntoView {
    let core: Core = StoredValue::new_local(Flame::new(file.clone(), ix, state.look));
    let legend = RwSignal::new(core.with_value(|f| f.colours.legend.clone()));
    let ui = Ui {
        core,
        state,
        legend,
        tip: RwSignal::new(None),
        search: RwSignal::new(SearchStatus::default()),
        search_input: NodeRef::new(),
        held_colouring: colouring,
        made,
    };
    let canvas_ref: NodeRef<html::Canvas> = NodeRef::new();
    let mini_ref: NodeRef<html::Canvas> = NodeRef::new();
    let wrap_ref: NodeRef<html::Div> = NodeRef::new();

    // Canvas set-up once mounted: painters, and size from the wrapper (which follows the window and panel).
    Effect::new(move |_| {
        let (Some(canvas), Some(mini), Some(wrap)) = (canvas_ref.get(), mini_ref.get(), wrap_ref.get()) else { return };
        core.update_value(|f| {
            f.painter = Painter::new(canvas.into());
            f.minimap = Painter::new(mini.into());
        });
        input::observe_size(ui, wrap.into());
    });
    // The look asked for: at first (once the search box exists), then whenever it is asked again.
    Effect::new(move |_| {
        state.look_asked.track();
        ui.apply_look();
    });
    // A statistics row's spans: shown as matches (while the search box is empty).
    Effect::new(move |_| {
        state.highlight.track();
        ui.run_search(&state.look.with_untracked(|l| l.query.clone()));
    });
    // Repaint when the theme changes (toolbar switch or system setting) or the Times choice does.
    Effect::new(move |_| {
        state.theme.track();
        let time = state.time.get();
        core.update_value(|f| f.clock = time.clock(f.model.origin_ns));
        schedule(core);
    });
    input::install_system_theme_listener(core);
    input::install_keys(ui);
    // The flame follows the one selection: draws it, and brings it into view when asked to.
    let (file_id, trace_ix) = (file.id, ix);
    Effect::new(move |_| {
        let selection = state.selected_in(file_id, trace_ix);
        core.update_value(|f| {
            f.session.selected = selection.map(|s| s.span);
            match selection {
                Some(selected) if selected.frame => f.with_session(|s, scene, _| s.frame_span(scene, selected.span)),
                Some(selected) if selected.reveal => f.with_session(|s, scene, _| s.reveal_span(scene, selected.span)),
                _ => {}
            }
        });
        schedule(core);
    });

    view! {
        <section class="flame" data-testid="flame" aria-label="Flame graph">
            <toolbar::FlameToolbar state ui file=file.clone() />
            <toolbar::LegendView legend />
            <canvas class="minimap" node_ref=mini_ref data-testid="minimap" aria-label="Overview: drag the window to move"
                on:mousedown=move |ev: web_sys::MouseEvent| input::minimap_drag(core, ev)
            ></canvas>
            <div class="flame-main">
                <div class="flame-canvas-wrap" node_ref=wrap_ref>
                    <canvas
                        node_ref=canvas_ref
                        data-testid="flame-canvas"
                        tabindex="0"
                        aria-label="Flame graph of the trace: wheel to zoom, drag to pan, click a bar for details"
                        on:wheel=move |ev: web_sys::WheelEvent| input::on_wheel(core, ev)
                        on:mousedown=move |ev: web_sys::MouseEvent| input::on_press(ui, ev)
                        on:mousemove=move |ev: web_sys::MouseEvent| input::on_move(ui, ev)
                        on:mouseleave=move |_| {
                            core.update_value(|f| { f.hover = None; f.session.cursor_x = None; });
                            ui.tip.set(None);
                            schedule(core);
                        }
                        on:dblclick=move |ev: web_sys::MouseEvent| input::on_double_click(ui, ev)
                    ></canvas>
                    <Tooltip ui />
                </div>
                {move || state.selected_in(file_id, trace_ix).map(|selection| {
                    let span = selection.span;
                    let file = core.with_value(|f| f.file.clone());
                    let on_select = Callback::new(move |s: Option<SpanIx>| ui.select(s, s.is_some()));
                    match made {
                        true => view! { <detail::SpanDetail file ix span time=state.time.get() on_select made=true /> }.into_any(),
                        false => {
                            let show_in = ("Show in timeline", Callback::new(move |_| state.show_view(crate::ui::state::TraceView::Timeline)));
                            view! { <detail::SpanDetail file ix span show_in time=state.time.get() on_select /> }.into_any()
                        }
                    }
                })}
            </div>
            {(!made).then(|| view! { <findings::Findings file=file.clone() ix ui /> })}
        </section>
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
                crate::format::name(set.str(span.name)),
                crate::format::name(set.str(span.service)),
                span.duration_ns(),
                analysis.stats.self_ns[tip.span as usize],
                share,
                f.session.vp.width,
            )
        })?;
        // Keep the tooltip inside the canvas: flip it left of the pointer near the right edge.
        let left = if tip.x > width - 280.0 { (tip.x - 290.0).max(0.0) } else { tip.x + 14.0 };
        Some(view! {
            <div class="flame-tooltip" data-testid="tooltip" style:left=format!("{left:.0}px") style:top=format!("{:.0}px", tip.y + 14.0)>
                <div class="name">{name}</div>
                <div class="muted">{service}</div>
                <div>{format!("duration {} · self {}", duration(dur), duration(self_ns))}</div>
                <div>{format!("critical path {:.1}%", share * 100.0)}</div>
            </div>
        })
    }
}
