//! What a person does to a flame graph, as plain Rust: one key table that drives both the key handling and
//! the help text, and the session that carries out its commands (zoom, pan, scroll, span-to-span moves,
//! framing a span or a finding, stepping through search matches). The UI turns events into commands and
//! draws the result; everything here is tested natively.

use super::viewport::{Viewport, ROW_HEIGHT};
use super::{relative, FlameModel, Move};
use crate::analysis::layout::Layout;
use crate::model::{SpanIx, Trace};

/// Wheel and key zoom step.
pub const ZOOM_IN: f64 = 0.8;
/// A keyboard pan moves this share of the width.
pub const PAN_SHARE: f64 = 0.15;

/// Something a person asks of the flame graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    ZoomIn,
    ZoomOut,
    PanLeft,
    PanRight,
    ScrollUp,
    ScrollDown,
    ResetView,
    ToParent,
    ToFirstChild,
    ToPrevSibling,
    ToNextSibling,
    FrameSelected,
    FocusSearch,
    ClearSelection,
    NextMatch,
    PreviousMatch,
}

/// When a key binding applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    Always,
    /// A span is selected (the arrows move between spans).
    Selected,
    /// No span is selected (the arrows move the view).
    NothingSelected,
    /// In the search box.
    Searching,
}

/// One row of the key table: the keys (`KeyboardEvent.key` values; `Shift+` for a shifted key that has
/// no character of its own), when it applies, what it does, and how the help text shows the keys.
pub struct Binding {
    pub keys: &'static [&'static str],
    pub when: When,
    pub command: Command,
    pub shown: &'static str,
    pub help: &'static str,
}

/// The keys, as Perfetto and speedscope users expect them. The first binding that matches wins.
pub const KEYS: &[Binding] = &[
    Binding { keys: &["w", "W", "+", "="], when: When::Always, command: Command::ZoomIn, shown: "W or +", help: "zoom in at the pointer" },
    Binding { keys: &["s", "S", "-", "_"], when: When::Always, command: Command::ZoomOut, shown: "S or −", help: "zoom out" },
    Binding { keys: &["a", "A"], when: When::Always, command: Command::PanLeft, shown: "A", help: "pan left" },
    Binding { keys: &["d", "D"], when: When::Always, command: Command::PanRight, shown: "D", help: "pan right" },
    Binding { keys: &["ArrowLeft"], when: When::NothingSelected, command: Command::PanLeft, shown: "←", help: "pan left" },
    Binding { keys: &["ArrowRight"], when: When::NothingSelected, command: Command::PanRight, shown: "→", help: "pan right" },
    Binding { keys: &["ArrowUp"], when: When::NothingSelected, command: Command::ScrollUp, shown: "↑", help: "scroll rows up" },
    Binding { keys: &["ArrowDown"], when: When::NothingSelected, command: Command::ScrollDown, shown: "↓", help: "scroll rows down" },
    Binding { keys: &["0"], when: When::Always, command: Command::ResetView, shown: "0", help: "show the whole trace" },
    Binding { keys: &["ArrowUp"], when: When::Selected, command: Command::ToParent, shown: "↑", help: "select the parent" },
    Binding { keys: &["ArrowDown"], when: When::Selected, command: Command::ToFirstChild, shown: "↓", help: "select the first child" },
    Binding { keys: &["ArrowLeft"], when: When::Selected, command: Command::ToPrevSibling, shown: "←", help: "select the previous sibling" },
    Binding { keys: &["ArrowRight"], when: When::Selected, command: Command::ToNextSibling, shown: "→", help: "select the next sibling" },
    Binding { keys: &["f", "F"], when: When::Selected, command: Command::FrameSelected, shown: "F", help: "frame the selected span" },
    Binding { keys: &["/"], when: When::Always, command: Command::FocusSearch, shown: "/", help: "search" },
    Binding { keys: &["Escape"], when: When::Always, command: Command::ClearSelection, shown: "Esc", help: "clear the selection" },
    Binding { keys: &["Enter"], when: When::Searching, command: Command::NextMatch, shown: "Enter", help: "next match" },
    Binding { keys: &["Shift+Enter"], when: When::Searching, command: Command::PreviousMatch, shown: "Shift+Enter", help: "previous match" },
];

/// What the pointer does (not keys, but part of the same help).
pub const POINTER_HELP: &str =
    "Wheel or pinch: zoom at the pointer · drag or horizontal scroll: pan · Shift+wheel: scroll rows · click: select · double-click: frame a span";

/// The command for a key press: `key` as `KeyboardEvent.key`, with `shift` for Shift+Enter. In the search
/// box only `Searching` bindings apply; elsewhere the others, by whether a span is selected.
pub fn command_for(key: &str, shift: bool, selected: bool, searching: bool) -> Option<Command> {
    let named = if shift && key == "Enter" { "Shift+Enter" } else { key };
    KEYS.iter()
        .find(|b| {
            let applies = match b.when {
                When::Searching => searching,
                When::Always => !searching,
                When::Selected => !searching && selected,
                When::NothingSelected => !searching && !selected,
            };
            applies && b.keys.contains(&named)
        })
        .map(|b| b.command)
}

/// The help text, made from the table: every binding, grouped by when it applies.
pub fn key_help() -> String {
    let group = |when: When| -> String {
        KEYS.iter().filter(|b| b.when == when).map(|b| format!("{}: {}", b.shown, b.help)).collect::<Vec<_>>().join(" · ")
    };
    format!(
        "{POINTER_HELP}\n{}\nWith nothing selected: {}\nWith a span selected: {}\nIn the search box: {}",
        group(When::Always),
        group(When::NothingSelected),
        group(When::Selected),
        group(When::Searching)
    )
}

/// What a command asks the UI to do beyond the view, which the session has already changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Response {
    /// Only the view changed: draw again.
    Redraw,
    /// Select this span (or none) in the app's one selection; `reveal` brings it into view.
    Select { span: Option<SpanIx>, reveal: bool },
    FocusSearch,
    /// Nothing to do (a move with nowhere to go, a match step with no matches).
    Nothing,
}

/// The flame graph's interaction state: the view, what is selected, where the pointer is, and which
/// search match was stepped to.
#[derive(Clone, Debug, PartialEq)]
pub struct Session {
    pub vp: Viewport,
    pub selected: Option<SpanIx>,
    /// The pointer's x on the canvas, when over it (keys zoom there).
    pub cursor_x: Option<f64>,
    /// Which of the ordered matches was stepped to last (`None`: none yet since the search changed).
    pub match_at: Option<usize>,
}

/// What the session's commands read: the trace, its layout and the flame's model.
#[derive(Clone, Copy)]
pub struct Scene<'a> {
    pub trace: &'a Trace,
    pub layout: &'a Layout,
    pub model: &'a FlameModel,
}

impl Session {
    pub fn new(vp: Viewport) -> Session {
        Session { vp, selected: None, cursor_x: None, match_at: None }
    }

    /// Carries out a command. `matches` are the search matches in stepping order (empty: no search).
    pub fn apply(&mut self, command: Command, scene: Scene, matches: &[SpanIx]) -> Response {
        let anchor = self.cursor_x.unwrap_or(self.vp.width / 2.0);
        let pan = self.vp.width * PAN_SHARE;
        let go = |to: Option<SpanIx>| match to {
            Some(span) => Response::Select { span: Some(span), reveal: true },
            None => Response::Nothing,
        };
        match (command, self.selected) {
            (Command::ZoomIn, _) => self.vp.zoom_at(ZOOM_IN, anchor),
            (Command::ZoomOut, _) => self.vp.zoom_at(1.0 / ZOOM_IN, anchor),
            (Command::PanLeft, _) => self.vp.pan_px(-pan, 0.0),
            (Command::PanRight, _) => self.vp.pan_px(pan, 0.0),
            (Command::ScrollUp, _) => self.vp.pan_px(0.0, -ROW_HEIGHT),
            (Command::ScrollDown, _) => self.vp.pan_px(0.0, ROW_HEIGHT),
            (Command::ResetView, _) => self.vp.reset(),
            (Command::ToParent, Some(s)) => return go(relative(scene.trace, s, Move::Parent)),
            (Command::ToFirstChild, Some(s)) => return go(relative(scene.trace, s, Move::FirstChild)),
            (Command::ToPrevSibling, Some(s)) => return go(relative(scene.trace, s, Move::PrevSibling)),
            (Command::ToNextSibling, Some(s)) => return go(relative(scene.trace, s, Move::NextSibling)),
            (Command::FrameSelected, Some(s)) => self.frame_span(scene, s),
            (Command::FocusSearch, _) => return Response::FocusSearch,
            (Command::ClearSelection, _) => return Response::Select { span: None, reveal: false },
            (Command::NextMatch, _) => return go(self.step_match(matches, false)),
            (Command::PreviousMatch, _) => return go(self.step_match(matches, true)),
            (_, None) => return Response::Nothing,
        }
        Response::Redraw
    }

    /// Zooms so that the span fills the view, on its row.
    pub fn frame_span(&mut self, scene: Scene, span: SpanIx) {
        let (s, e) = scene.model.rel(scene.trace, span);
        self.vp.frame(s, e, Some(scene.layout.row[span as usize] as usize));
    }

    /// Moves the view just enough to show the span (selections made from elsewhere).
    pub fn reveal_span(&mut self, scene: Scene, span: SpanIx) {
        let (s, e) = scene.model.rel(scene.trace, span);
        self.vp.reveal(s, e, scene.layout.row[span as usize] as usize);
    }

    /// Frames every span of a finding: from the earliest start to the latest end, from the top one's row.
    /// Returns the span to select (the finding's first).
    pub fn frame_spans(&mut self, scene: Scene, spans: &[SpanIx]) -> Option<SpanIx> {
        let first = *spans.first()?;
        let (mut lo, mut hi, mut row) = (f64::MAX, f64::MIN, usize::MAX);
        for &s in spans {
            let (a, b) = scene.model.rel(scene.trace, s);
            lo = lo.min(a);
            hi = hi.max(b);
            row = row.min(scene.layout.row[s as usize] as usize);
        }
        self.vp.frame(lo, hi, Some(row));
        Some(first)
    }

    /// The next (or previous) match after the last one stepped to, wrapping around; the first (or last)
    /// when none was stepped to yet.
    pub fn step_match(&mut self, matches: &[SpanIx], back: bool) -> Option<SpanIx> {
        let n = matches.len();
        if n == 0 {
            return None;
        }
        let at = match (self.match_at, back) {
            (None, false) => 0,
            (None, true) => n - 1,
            (Some(i), false) => (i + 1) % n,
            (Some(i), true) => (i + n - 1) % n,
        };
        self.match_at = Some(at);
        Some(matches[at])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{analyze, TraceAnalysis};
    use crate::model::TraceSet;

    /// root with children a, b, c in a row; b has a child d.
    const PICTURE: &str = "root     web 0..100ms
                             a     web 10..20ms
                             b     db  30..60ms
                               d   db  35..40ms
                             c     web 70..80ms";

    struct Fixture {
        set: TraceSet,
        analysis: TraceAnalysis,
        model: FlameModel,
    }

    fn fixture() -> Fixture {
        let set = crate::testing::trace_set(PICTURE);
        let analysis = analyze(&set, 0);
        let model = FlameModel::new(&set, &set.traces[0], &analysis);
        Fixture { set, analysis, model }
    }

    impl Fixture {
        fn scene(&self) -> Scene<'_> {
            Scene { trace: &self.set.traces[0], layout: &self.analysis.layout, model: &self.model }
        }

        fn session(&self) -> Session {
            Session::new(Viewport::new(self.model.total_ns, self.analysis.layout.row_count(), 1000.0, 400.0))
        }
    }

    /// Every entry of the key table: its keys give its command when it applies and not otherwise, and the
    /// command does what the entry says.
    #[test]
    fn every_key_table_entry_does_what_it_says() {
        let f = fixture();
        let (b, d) = (2, 3);
        for binding in KEYS {
            let (selected, searching) = match binding.when {
                When::Always | When::NothingSelected => (false, false),
                When::Selected => (true, false),
                When::Searching => (false, true),
            };
            for key in binding.keys {
                let (key, shift) = key.strip_prefix("Shift+").map_or((*key, false), |k| (k, true));
                assert_eq!(command_for(key, shift, selected, searching), Some(binding.command), "{key} ({:?})", binding.when);
                if binding.when != When::Always {
                    let elsewhere = command_for(key, shift, !selected && !searching, false);
                    assert_ne!(elsewhere, Some(binding.command), "{key} also applies outside {:?}", binding.when);
                }
            }
            // Start zoomed in on the middle, scrolled down a row, with b selected.
            let mut s = f.session();
            s.vp.resize(1000.0, 60.0);
            s.vp.zoom_at(0.5, 500.0);
            s.vp.pan_px(0.0, ROW_HEIGHT);
            s.selected = selected.then_some(b);
            let before = s.vp;
            let matches = [1, 3, 4];
            let effect = s.apply(binding.command, f.scene(), &matches);
            let vp = s.vp;
            let what = format!("{:?}", binding.command);
            match binding.command {
                Command::ZoomIn => assert!(vp.window_ns < before.window_ns, "{what}"),
                Command::ZoomOut => assert!(vp.window_ns > before.window_ns, "{what}"),
                Command::PanLeft => assert!(vp.start_ns < before.start_ns, "{what}"),
                Command::PanRight => assert!(vp.start_ns > before.start_ns, "{what}"),
                Command::ScrollUp => assert!(vp.scroll_top < before.scroll_top, "{what}"),
                Command::ScrollDown => assert!(vp.scroll_top > before.scroll_top, "{what}"),
                Command::ResetView => assert_eq!((vp.start_ns, vp.window_ns), (0.0, vp.total_ns), "{what}"),
                Command::ToParent => assert_eq!(effect, Response::Select { span: Some(0), reveal: true }),
                Command::ToFirstChild => assert_eq!(effect, Response::Select { span: Some(d), reveal: true }),
                Command::ToPrevSibling => assert_eq!(effect, Response::Select { span: Some(1), reveal: true }),
                Command::ToNextSibling => assert_eq!(effect, Response::Select { span: Some(4), reveal: true }),
                Command::FrameSelected => {
                    let (start, end) = f.model.rel(&f.set.traces[0], b);
                    assert!(vp.start_ns <= start && vp.end_ns() >= end && vp.window_ns < 2.0 * (end - start), "{what}: {vp:?}");
                }
                Command::FocusSearch => assert_eq!(effect, Response::FocusSearch),
                Command::ClearSelection => assert_eq!(effect, Response::Select { span: None, reveal: false }),
                Command::NextMatch => assert_eq!(effect, Response::Select { span: Some(1), reveal: true }),
                Command::PreviousMatch => assert_eq!(effect, Response::Select { span: Some(4), reveal: true }),
            }
            let changes_view = matches!(
                binding.command,
                Command::ZoomIn | Command::ZoomOut | Command::PanLeft | Command::PanRight | Command::ScrollUp | Command::ScrollDown | Command::ResetView | Command::FrameSelected
            );
            assert_eq!(effect == Response::Redraw, changes_view, "{what}: {effect:?}");
            if !changes_view {
                assert_eq!(vp, before, "{what} leaves the view alone");
            }
        }
    }

    #[test]
    fn moves_with_nowhere_to_go_do_nothing() {
        let f = fixture();
        let mut s = f.session();
        s.selected = Some(0);
        assert_eq!(s.apply(Command::ToParent, f.scene(), &[]), Response::Nothing, "a root has no parent");
        s.selected = Some(4);
        assert_eq!(s.apply(Command::ToNextSibling, f.scene(), &[]), Response::Nothing, "c is the last child");
        assert_eq!(s.apply(Command::ToFirstChild, f.scene(), &[]), Response::Nothing, "c has no children");
        s.selected = None;
        assert_eq!(s.apply(Command::FrameSelected, f.scene(), &[]), Response::Nothing);
        assert_eq!(s.apply(Command::NextMatch, f.scene(), &[]), Response::Nothing, "no matches");
    }

    #[test]
    fn stepping_through_matches_wraps_around_both_ways() {
        let mut s = fixture().session();
        let m = [7, 8, 9];
        let forward: Vec<_> = (0..4).map(|_| s.step_match(&m, false).unwrap()).collect();
        assert_eq!(forward, [7, 8, 9, 7]);
        let back: Vec<_> = (0..4).map(|_| s.step_match(&m, true).unwrap()).collect();
        assert_eq!(back, [9, 8, 7, 9]);
        s.match_at = None;
        assert_eq!(s.step_match(&m, true), Some(9), "back from the start goes to the last");
        assert_eq!(s.step_match(&[], false), None);
    }

    #[test]
    fn framing_a_finding_shows_all_its_spans_and_selects_its_first() {
        let f = fixture();
        let mut s = f.session();
        s.vp.zoom_at(0.1, 0.0);
        let trace = &f.set.traces[0];
        assert_eq!(s.frame_spans(f.scene(), &[3, 4]), Some(3));
        let (d, c) = (f.model.rel(trace, 3), f.model.rel(trace, 4));
        assert!(s.vp.start_ns <= d.0 && s.vp.end_ns() >= c.1, "both in view: {:?}", s.vp);
        assert!(s.vp.window_ns < f.model.total_ns as f64, "zoomed to them, not the whole trace");
        let top = f.analysis.layout.row[4] as usize;
        assert!(s.vp.y_of_row(top) >= 0.0, "the top row is in view");
        assert_eq!(s.frame_spans(f.scene(), &[]), None);
    }

    #[test]
    fn the_help_text_lists_every_binding() {
        let help = key_help();
        for b in KEYS {
            assert!(help.contains(&format!("{}: {}", b.shown, b.help)), "{} missing from the help", b.shown);
        }
    }
}
