//! Bar labels: the name and duration when both fit, else the name, else the name cut with an ellipsis, else
//! nothing. Text width comes from the caller (the canvas measures, with a cache), so this is testable.

/// Characters of a name a label can hold at most.
const MAX_CHARS: usize = 1000;

/// Text for a bar `avail` px wide, or `None` when not even one character and the ellipsis fit. An empty
/// `duration` is left out.
pub fn fit(name: &str, duration: &str, avail: f64, measure: &mut impl FnMut(&str) -> f64) -> Option<String> {
    if avail <= 0.0 {
        return None;
    }
    // No bar is wide enough for more characters than this (a canvas is a few thousand pixels wide): a longer
    // name is cut before it is measured, as measuring a megabyte-long name would stall the frame.
    let cut = name.char_indices().nth(MAX_CHARS).map(|(i, _)| i);
    let name = &name[..cut.unwrap_or(name.len())];
    if cut.is_none() {
        let full = format!("{name} ({duration})");
        if !duration.is_empty() && measure(&full) <= avail {
            return Some(full);
        }
        if measure(name) <= avail {
            return Some(name.to_string());
        }
    }
    // Longest prefix (in characters) that fits with "…": binary search over char boundaries.
    let bounds: Vec<usize> = name.char_indices().map(|(i, _)| i).skip(1).collect();
    let (mut lo, mut hi) = (0usize, bounds.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if measure(&format!("{}…", &name[..bounds[mid - 1]])) <= avail {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    (lo > 0).then(|| format!("{}…", &name[..bounds[lo - 1]]))
}

#[cfg(test)]
mod tests {
    use super::fit;

    #[test]
    fn labels_shrink_to_fit() {
        let mut measure = |s: &str| s.chars().count() as f64 * 7.0;
        assert_eq!(fit("GET /cart", "12 ms", 200.0, &mut measure).as_deref(), Some("GET /cart (12 ms)"));
        assert_eq!(fit("GET /cart", "12 ms", 70.0, &mut measure).as_deref(), Some("GET /cart"));
        assert_eq!(fit("GET /cart", "12 ms", 35.0, &mut measure).as_deref(), Some("GET …"));
        assert_eq!(fit("GET /cart", "12 ms", 13.0, &mut measure), None);
        assert_eq!(fit("héllo wörld", "1 s", 28.0, &mut measure).as_deref(), Some("hél…"));
    }
}
