//! Bar colours: by service (the default), by operation, by self time, or errors only; each with a legend.
//! Palettes come from `colorous` (Tableau and ColorBrewer schemes).

use crate::model::{Sym, Trace, TraceSet};
use colorous::Color;
use rustc_hash::FxHashMap;

/// A colour as 0xRRGGBB.
pub type Rgb = u32;

/// The error colour, in every colouring (also the error mark under bars).
pub const ERROR_RGB: Rgb = 0xd62728;
const OK_RGB: Rgb = 0xaab1bd;
/// Legends list this many entries; the rest are counted.
pub const LEGEND_LIMIT: usize = 12;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Colouring {
    #[default]
    Service,
    Operation,
    SelfTime,
    Errors,
    /// A comparison's diff trace (`compare.side`, `compare.delta_ns` attributes): slower red, faster
    /// blue, only in A or only in B in their own colours. Not offered for other traces.
    Change,
}

impl Colouring {
    pub const ALL: [Colouring; 4] = [Colouring::Service, Colouring::Operation, Colouring::SelfTime, Colouring::Errors];

    /// The value used in URLs and `<select>` options.
    pub fn as_str(self) -> &'static str {
        match self {
            Colouring::Service => "service",
            Colouring::Operation => "operation",
            Colouring::SelfTime => "self-time",
            Colouring::Errors => "errors",
            Colouring::Change => "change",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Colouring::Service => "Colour by service",
            Colouring::Operation => "Colour by operation",
            Colouring::SelfTime => "Colour by self time",
            Colouring::Errors => "Errors only",
            Colouring::Change => "Colour by change",
        }
    }

    pub fn from_str(s: &str) -> Option<Colouring> {
        Colouring::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LegendEntry {
    pub rgb: Rgb,
    pub label: String,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Colours {
    /// Colour of each span.
    pub span: Vec<Rgb>,
    pub legend: Legend,
    /// Tells these colours from any others made (`super::next_stamp`): caches of looks are kept per stamp.
    pub stamp: u64,
}

/// What the colours mean: kept apart from the per-span colours, so the page can hold it without them.
#[derive(Clone, Debug, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Legend {
    pub entries: Vec<LegendEntry>,
    /// Entries left out (beyond `LEGEND_LIMIT`).
    pub more: usize,
}

fn rgb(c: Color) -> Rgb {
    (c.r as u32) << 16 | (c.g as u32) << 8 | c.b as u32
}

/// 22 distinct categorical colours: Tableau 10, then ColorBrewer Set 3.
fn categorical(i: usize) -> Rgb {
    let all = colorous::TABLEAU10.iter().chain(colorous::SET3.iter());
    let n = colorous::TABLEAU10.len() + colorous::SET3.len();
    rgb(*all.cycle().nth(i % n).expect("palette is not empty"))
}

/// `#rrggbb`, as canvas and CSS take it.
pub fn css(rgb: Rgb) -> String {
    format!("#{rgb:06x}")
}

/// Whether dark text reads better than light text on this colour (relative luminance, sRGB weights).
pub fn is_light(rgb: Rgb) -> bool {
    let (r, g, b) = ((rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff);
    0.2126 * r as f64 + 0.7152 * g as f64 + 0.0722 * b as f64 > 140.0
}

/// Colours every span of `trace` by `mode`. O(n) plus a sort of the distinct services or operations.
pub fn colours(set: &TraceSet, trace: &Trace, self_ns: &[i64], mode: Colouring) -> Colours {
    let (span, legend) = match mode {
        Colouring::Service => by_key(set, trace, |s| (s.service, crate::model::Strings::EMPTY)),
        Colouring::Operation => by_key(set, trace, |s| (s.service, s.name)),
        Colouring::SelfTime => by_self_time(trace, self_ns),
        Colouring::Errors => {
            let span = trace.spans.iter().map(|s| if s.is_error(&set.strings) { ERROR_RGB } else { OK_RGB }).collect();
            let legend = vec![
                LegendEntry { rgb: ERROR_RGB, label: "error".into() },
                LegendEntry { rgb: OK_RGB, label: "no error".into() },
            ];
            (span, Legend { entries: legend, more: 0 })
        }
        Colouring::Change => by_change(set, trace),
    };
    Colours { span, legend, stamp: super::next_stamp() }
}

/// One colour per distinct key, most frequent key first, so the legend starts with what fills the picture.
fn by_key(set: &TraceSet, trace: &Trace, key: impl Fn(&crate::model::Span) -> (Sym, Sym)) -> (Vec<Rgb>, Legend) {
    let mut counts: FxHashMap<(Sym, Sym), u64> = FxHashMap::default();
    for s in &trace.spans {
        *counts.entry(key(s)).or_default() += 1;
    }
    let label = |(service, name): (Sym, Sym)| {
        let service = if service == crate::model::Strings::EMPTY { "(no service)" } else { set.str(service) };
        if name == crate::model::Strings::EMPTY {
            service.to_string()
        } else {
            format!("{service}: {}", set.str(name))
        }
    };
    let mut keys: Vec<((Sym, Sym), u64)> = counts.into_iter().collect();
    keys.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| label(a.0).cmp(&label(b.0))));
    let index: FxHashMap<(Sym, Sym), Rgb> = keys.iter().enumerate().map(|(i, (k, _))| (*k, categorical(i))).collect();
    let span = trace.spans.iter().map(|s| index[&key(s)]).collect();
    let legend = keys.iter().take(LEGEND_LIMIT).map(|&(k, _)| LegendEntry { rgb: index[&k], label: label(k) }).collect();
    (span, Legend { entries: legend, more: keys.len().saturating_sub(LEGEND_LIMIT) })
}

/// A heat scale of self time, logarithmic (self times span many orders of magnitude), up to the largest.
fn by_self_time(trace: &Trace, self_ns: &[i64]) -> (Vec<Rgb>, Legend) {
    let max = self_ns.iter().copied().max().unwrap_or(0).max(1) as f64;
    let heat = |ns: i64| colorous::YELLOW_ORANGE_RED.eval_continuous(0.1 + 0.9 * ((ns.max(0) as f64).ln_1p() / max.ln_1p()));
    let span = (0..trace.spans.len()).map(|i| rgb(heat(self_ns.get(i).copied().unwrap_or(0)))).collect();
    let max_ns = max as i64;
    let legend = vec![
        LegendEntry { rgb: rgb(heat(0)), label: "no self time".into() },
        LegendEntry { rgb: rgb(heat((max / 1000.0) as i64)), label: crate::format::duration(max_ns / 1000) },
        LegendEntry { rgb: rgb(heat((max / 30.0) as i64)), label: crate::format::duration(max_ns / 30) },
        LegendEntry { rgb: rgb(heat(max_ns)), label: format!("{} self", crate::format::duration(max_ns)) },
    ];
    (span, Legend { entries: legend, more: 0 })
}

/// Colours of a comparison's diff trace: the change's size on a diverging scale (red slower, blue faster,
/// relative to the largest change), calls only in A or only in B in their own colours.
/// The diff's colour for a call that took the same time in A and B.
const NO_CHANGE: Color = Color { r: 0xa3, g: 0xa3, b: 0xa3 };

fn by_change(set: &TraceSet, trace: &Trace) -> (Vec<Rgb>, Legend) {
    const ONLY_A: Rgb = 0x8e6cbf;
    const ONLY_B: Rgb = 0x2a9d8f;
    let (side_key, delta_key) = (set.strings.lookup("compare.side"), set.strings.lookup("compare.delta_ns"));
    let attr = |s: &crate::model::Span, key: Option<Sym>| key.and_then(|k| set.attributes(s).find(|a| a.key == k)).map(|a| a.value.clone());
    let facts: Vec<(String, i64)> = trace
        .spans
        .iter()
        .map(|s| {
            let side = match attr(s, side_key) {
                Some(crate::model::AttrValue::Str(v)) => set.str(v).to_string(),
                _ => String::new(),
            };
            let delta = match attr(s, delta_key) {
                Some(crate::model::AttrValue::Int(d)) => d,
                _ => 0,
            };
            (side, delta)
        })
        .collect();
    let largest = facts.iter().filter(|f| f.0 == "both").map(|f| f.1.abs()).max().unwrap_or(0).max(1) as f64;
    // From a neutral grey (no change: readable on both themes, where the scale's own near-white middle
    // glares on the dark one) towards red (slower) or blue (faster), the red-blue scale at 0.1 and 0.9: its
    // darkest ends are left out, so labels stay readable on the bars.
    let (slower, faster) = (colorous::RED_BLUE.eval_continuous(0.1), colorous::RED_BLUE.eval_continuous(0.9));
    let scale = |d: i64| {
        let t = (d as f64 / largest).clamp(-1.0, 1.0);
        let end = if t > 0.0 { slower } else { faster };
        let mix = |from: u8, to: u8| (from as f64 + (to as f64 - from as f64) * t.abs()).round() as u8;
        rgb(Color { r: mix(NO_CHANGE.r, end.r), g: mix(NO_CHANGE.g, end.g), b: mix(NO_CHANGE.b, end.b) })
    };
    let span = facts
        .iter()
        .map(|(side, d)| match side.as_str() {
            "only A" => ONLY_A,
            "only B" => ONLY_B,
            _ => scale(*d),
        })
        .collect();
    let max_ns = largest as i64;
    let legend = vec![
        LegendEntry { rgb: scale(max_ns), label: format!("{} slower", crate::format::duration(max_ns)) },
        LegendEntry { rgb: scale(0), label: "no change".into() },
        LegendEntry { rgb: scale(-max_ns), label: format!("{} faster", crate::format::duration(max_ns)) },
        LegendEntry { rgb: ONLY_A, label: "only in A".into() },
        LegendEntry { rgb: ONLY_B, label: "only in B".into() },
    ];
    (span, Legend { entries: legend, more: 0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn css_and_contrast() {
        assert_eq!(css(0x0a0b0c), "#0a0b0c");
        assert!(is_light(0xffffff) && !is_light(0x1f1f1f));
        assert_ne!(categorical(0), categorical(1));
        assert_eq!(categorical(0), categorical(22));
    }
}
