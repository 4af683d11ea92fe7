//! Durations of a set of peers (spans of one operation) as a histogram, and where one span stands among
//! them ("p97 of GET /price in this file"). Also the profile of spans running at once over a trace's time.

use crate::model::{Strings, Sym, Trace, TraceSet};

/// Counts of durations in bins. Bins are equal in ns, or equal in log(ns) when the durations spread over
/// more than two orders of magnitude (latencies usually do: a linear scale would put them all in bin 0).
#[derive(Clone, Debug, PartialEq)]
pub struct Histogram {
    /// `bins + 1` edges, ns, ascending.
    pub edges: Vec<f64>,
    pub counts: Vec<u32>,
    pub log: bool,
}

/// Spread (max / min) beyond which the bins are logarithmic.
const LOG_SPREAD: f64 = 100.0;

impl Histogram {
    pub fn new(durations: &[i64], bins: usize) -> Histogram {
        let bins = bins.max(1);
        let (lo, hi) = durations.iter().fold((i64::MAX, i64::MIN), |(lo, hi), &d| (lo.min(d), hi.max(d)));
        if durations.is_empty() {
            return Histogram { edges: vec![0.0, 1.0], counts: vec![0], log: false };
        }
        let (lo, hi) = (lo.max(0) as f64, (hi.max(0) as f64).max(lo.max(0) as f64 + 1.0));
        let log = lo >= 1.0 && hi / lo > LOG_SPREAD;
        let edges: Vec<f64> = (0..=bins)
            .map(|k| {
                let f = k as f64 / bins as f64;
                if log {
                    (lo.ln() + f * (hi.ln() - lo.ln())).exp()
                } else {
                    lo + f * (hi - lo)
                }
            })
            .collect();
        let mut h = Histogram { edges, counts: vec![0; bins], log };
        for &d in durations {
            let b = h.bin_of(d);
            h.counts[b] += 1;
        }
        h
    }

    /// The bin a duration falls in (the last bin includes its upper edge).
    pub fn bin_of(&self, d: i64) -> usize {
        let bins = self.counts.len();
        let (lo, hi) = (self.edges[0], self.edges[bins]);
        let d = (d.max(0) as f64).clamp(lo, hi);
        let f = if self.log { (d.ln() - lo.ln()) / (hi.ln() - lo.ln()) } else { (d - lo) / (hi - lo) };
        ((f * bins as f64) as usize).min(bins - 1)
    }
}

/// Where a duration stands among its peers'.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Standing {
    /// How many peers (the span included).
    pub peers: usize,
    /// How many took less time.
    pub faster: usize,
    /// How many took as long.
    pub same: usize,
}

impl Standing {
    /// `sorted`: the peers' durations, ascending (the span's own among them).
    pub fn of(sorted: &[i64], duration: i64) -> Standing {
        let faster = sorted.partition_point(|&d| d < duration);
        let same = sorted[faster..].partition_point(|&d| d <= duration);
        Standing { peers: sorted.len(), faster, same }
    }

    /// The percentile rank: the share of peers that took no longer, in percent (1–100).
    pub fn percentile(&self) -> u32 {
        if self.peers == 0 {
            return 0;
        }
        ((100 * (self.faster + self.same)) as f64 / self.peers as f64).floor().max(1.0) as u32
    }

    /// As the span panel says it: "p97", "the slowest", "the fastest", "the only one" (then "of 40 …").
    pub fn says(&self) -> String {
        match self {
            Standing { peers: 0 | 1, .. } => "the only one".into(),
            Standing { faster, same: 1, peers } if faster + 1 == *peers => "the slowest".into(),
            Standing { faster: 0, same: 1, .. } => "the fastest".into(),
            s => format!("p{}", s.percentile()),
        }
    }
}

/// The durations, ascending, of every span of operation (service, name) in `traces` of `set`.
pub fn peer_durations(set: &TraceSet, traces: impl IntoIterator<Item = usize>, service: Sym, name: Sym) -> Vec<i64> {
    let mut out: Vec<i64> = traces
        .into_iter()
        .filter_map(|t| set.traces.get(t))
        .flat_map(|t| t.spans.iter().filter(|s| s.service == service && s.name == name).map(|s| s.duration_ns()))
        .collect();
    out.sort_unstable();
    out
}

/// How many spans run at once in each of `bins` equal slices of the trace's time (a span counts in every
/// slice it touches), and how many failed spans start in each. O(n + bins).
pub fn concurrency(strings: &Strings, trace: &Trace, bins: usize) -> (Vec<u32>, Vec<u32>) {
    let origin = trace.start_ns();
    let total = (trace.end_ns() - origin).max(1) as f64;
    let spans = trace.spans.iter().map(|s| ((s.start_ns - origin) as f64, (s.end_ns - origin) as f64, s.is_error(strings)));
    running_at_once(spans, total, bins)
}

/// The same from intervals (start, end relative to the trace's start, and whether the span failed) over
/// `total` ns: `concurrency` reads them from the spans, the flame model from its own arrays.
pub fn running_at_once(intervals: impl Iterator<Item = (f64, f64, bool)>, total: f64, bins: usize) -> (Vec<u32>, Vec<u32>) {
    let bins = bins.max(1);
    let bin_of = |t: f64| ((t / total * bins as f64) as usize).min(bins - 1);
    let mut delta = vec![0i64; bins + 1];
    let mut errors = vec![0u32; bins];
    for (start, end, failed) in intervals {
        let (a, b) = (bin_of(start), bin_of(end));
        delta[a] += 1;
        delta[b + 1] -= 1;
        errors[a] += failed as u32;
    }
    let mut running = 0i64;
    let counts = delta[..bins]
        .iter()
        .map(|d| {
            running += d;
            running.max(0) as u32
        })
        .collect();
    (counts, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_and_log_bins() {
        let h = Histogram::new(&[10, 20, 30, 40, 50], 4);
        assert!(!h.log);
        assert_eq!(h.edges, [10.0, 20.0, 30.0, 40.0, 50.0]);
        assert_eq!(h.counts, [1, 1, 1, 2], "the last bin holds its upper edge");
        let h = Histogram::new(&[1_000, 10_000, 100_000, 1_000_000], 3);
        assert!(h.log);
        assert_eq!(h.counts, [1, 1, 2]);
        assert_eq!(h.bin_of(10_000), 1);
        assert_eq!(Histogram::new(&[], 10).counts, [0]);
        assert_eq!(Histogram::new(&[5, 5, 5], 2).counts, [3, 0], "one value: a bin of width 1");
    }

    #[test]
    fn standing_among_peers() {
        let peers: Vec<i64> = (1..=100).collect();
        assert_eq!(Standing::of(&peers, 97).says(), "p97");
        assert_eq!(Standing::of(&peers, 100).says(), "the slowest");
        assert_eq!(Standing::of(&peers, 1).says(), "the fastest");
        assert_eq!(Standing::of(&[7], 7).says(), "the only one");
        let ties = [5, 5, 5, 9];
        assert_eq!(Standing::of(&ties, 5), Standing { peers: 4, faster: 0, same: 3 });
        assert_eq!(Standing::of(&ties, 5).says(), "p75");
        assert_eq!(Standing::of(&ties, 9).says(), "the slowest");
    }

    #[test]
    fn concurrency_counts_the_spans_touching_each_slice() {
        let set = crate::testing::trace_set(
            "root  s 0..100ms
               a   s 0..50ms  error
               b   s 25..75ms",
        );
        let (counts, errors) = concurrency(&set.strings, &set.traces[0], 4);
        assert_eq!(counts, [2, 3, 3, 2]);
        assert_eq!(errors, [1, 0, 0, 0]);
    }
}
