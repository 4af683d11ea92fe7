//! Numbers as people read them: durations, byte sizes, counts.

/// `712 ns`, `4.21 µs`, `38.5 ms`, `1.25 s` (three significant digits); `31 min 59 s`, `2 h 5 min` beyond.
pub fn duration(ns: i64) -> String {
    let sign = if ns < 0 { "-" } else { "" };
    let ns = ns.unsigned_abs();
    let (value, unit) = match ns {
        0..=999 => return format!("{sign}{ns} ns"),
        1_000..=999_999 => (ns as f64 / 1e3, "µs"),
        1_000_000..=999_999_999 => (ns as f64 / 1e6, "ms"),
        1_000_000_000..=99_999_999_999 => (ns as f64 / 1e9, "s"),
        _ => {
            let secs = ns / 1_000_000_000;
            return match secs {
                0..=3599 => format!("{sign}{} min {} s", secs / 60, secs % 60),
                _ => format!("{sign}{} h {} min", secs / 3600, secs % 3600 / 60),
            };
        }
    };
    format!("{sign}{} {unit}", significant(value))
}

/// `812 B`, `71.6 KB`, `1.2 MB` (decimal units, as file managers show them).
pub fn bytes(n: u64) -> String {
    match n {
        0..=999 => format!("{n} B"),
        1_000..=999_999 => format!("{} KB", significant(n as f64 / 1e3)),
        1_000_000..=999_999_999 => format!("{} MB", significant(n as f64 / 1e6)),
        _ => format!("{} GB", significant(n as f64 / 1e9)),
    }
}

/// `1,234,567`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `1 span` / `3 spans`.
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", count(n), if n == 1 { one } else { many })
}

fn significant(v: f64) -> String {
    let decimals = if v < 10.0 {
        2
    } else if v < 100.0 {
        1
    } else {
        0
    };
    let text = format!("{v:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}
