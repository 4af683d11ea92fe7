//! Numbers as people read them, one formatter for the whole program (findings, the summary's messages, the
//! panels, the axis, progress labels): durations, byte sizes, counts.

/// `850 ns`, `12.3 µs`, `4.56 ms`, `703 ms`, `1.23 s` (three significant digits), `2 min 5 s` from a
/// minute, `2 h 5 min` from an hour. Finding messages in `spanlens.summary/1` use it: keep its output stable.
pub fn duration(ns: i64) -> String {
    let sign = if ns < 0 { "-" } else { "" };
    let abs = ns.unsigned_abs() as f64;
    let (value, unit) = match abs {
        a if a < 1e3 => return format!("{sign}{} ns", ns.unsigned_abs()),
        a if a < 1e6 => (a / 1e3, "µs"),
        a if a < 1e9 => (a / 1e6, "ms"),
        a if a < 60e9 => (a / 1e9, "s"),
        a => {
            let secs = (a / 1e9).round() as u64;
            return match secs {
                0..=3599 => format!("{sign}{} min {} s", secs / 60, secs % 60),
                _ => format!("{sign}{} h {} min", secs / 3600, secs % 3600 / 60),
            };
        }
    };
    format!("{sign}{} {unit}", significant(value, false))
}

/// Longest name (span, service, event) shown whole, in characters: a name can be a megabyte long, and laying
/// out or measuring that much text stalls the page.
pub const NAME_CHARS: usize = 200;

/// `text` cut to `max` characters with "…" when longer.
pub fn clip(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => std::borrow::Cow::Borrowed(text),
        Some((cut, _)) => std::borrow::Cow::Owned(format!("{}…", &text[..cut])),
    }
}

/// A name as shown: cut to `NAME_CHARS`.
pub fn name(text: &str) -> String {
    clip(text, NAME_CHARS).into_owned()
}

/// The units `parse_duration` reads, for messages.
pub const DURATION_UNITS: &str = "ns, us, ms, s, m, h";

/// Why a duration does not read.
#[derive(Debug, PartialEq, Eq)]
pub enum DurationError {
    /// No number in front (`ms`, `1.2.3ms`).
    Number,
    /// A number with no unit (`100`).
    NoUnit,
    /// An unknown unit (`100mx`).
    Unit(String),
}

/// `100ms`, `1.5s`, `250us`, `15m`, `2h` → nanoseconds, rounded to whole ones (huge values saturate).
pub fn parse_duration(text: &str) -> Result<i64, DurationError> {
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    if !number.chars().any(|c| c.is_ascii_digit()) || number.matches('.').count() > 1 {
        return Err(DurationError::Number);
    }
    let scale = match unit.to_lowercase().as_str() {
        "ns" => 1.0,
        "us" | "µs" | "μs" => 1e3,
        "ms" => 1e6,
        "s" => 1e9,
        "m" => 60e9,
        "h" => 3600e9,
        "" => return Err(DurationError::NoUnit),
        _ => return Err(DurationError::Unit(unit.to_string())),
    };
    let number: f64 = number.parse().map_err(|_| DurationError::Number)?;
    // 0.1 * 1e6 is not exactly 100000.
    Ok((number * scale).round() as i64)
}

/// `812 B`, `71.6 KB`, `1.2 MB` (decimal units, as file managers show them).
pub fn bytes(n: u64) -> String {
    match n {
        0..=999 => format!("{n} B"),
        1_000..=999_999 => format!("{} KB", significant(n as f64 / 1e3, true)),
        1_000_000..=999_999_999 => format!("{} MB", significant(n as f64 / 1e6, true)),
        _ => format!("{} GB", significant(n as f64 / 1e9, true)),
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

/// Three significant digits (`4.56`, `12.3`, `703`); `trim` drops trailing zeros (`1.2`, not `1.20`).
fn significant(v: f64, trim: bool) -> String {
    let decimals = if v < 10.0 { 2 } else if v < 100.0 { 1 } else { 0 };
    let text = format!("{v:.decimals$}");
    if trim && text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(0), "0 ns");
        assert_eq!(duration(850), "850 ns");
        assert_eq!(duration(12_345), "12.3 µs");
        assert_eq!(duration(4_560_000), "4.56 ms");
        assert_eq!(duration(4_500_000), "4.50 ms");
        assert_eq!(duration(702_608_277), "703 ms");
        assert_eq!(duration(1_230_000_000), "1.23 s");
        assert_eq!(duration(59_900_000_000), "59.9 s");
        assert_eq!(duration(70_000_000_000), "1 min 10 s");
        assert_eq!(duration(125_000_000_000), "2 min 5 s");
        assert_eq!(duration(7_500_000_000_000), "2 h 5 min");
        assert_eq!(duration(-62_000_000), "-62.0 ms");
    }

    #[test]
    fn bytes_and_counts() {
        assert_eq!(bytes(812), "812 B");
        assert_eq!(bytes(71_618), "71.6 KB");
        assert_eq!(bytes(1_200_000), "1.2 MB");
        assert_eq!(bytes(906_600_000), "907 MB");
        assert_eq!(bytes(2_000_000_000), "2 GB");
        assert_eq!(count(0), "0");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(plural(1, "span", "spans"), "1 span");
        assert_eq!(plural(1000, "span", "spans"), "1,000 spans");
    }
}

/// A clock time to the microsecond, `offset_minutes` east of UTC: `14:05:09.123456` (with `Z` for UTC,
/// `+02:00` otherwise), for tables that show absolute times.
pub fn clock(ns: i64, offset_minutes: i32) -> String {
    let at = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ns)).expect("any i64 of nanoseconds is a date");
    let offset = time::UtcOffset::from_whole_seconds(offset_minutes.clamp(-1439, 1439) * 60).unwrap_or(time::UtcOffset::UTC);
    let at = at.to_offset(offset);
    let zone = if offset_minutes == 0 {
        "Z".to_string()
    } else {
        let m = offset_minutes.abs();
        format!("{}{:02}:{:02}", if offset_minutes < 0 { '-' } else { '+' }, m / 60, m % 60)
    };
    format!("{:02}:{:02}:{:02}.{:06}{zone}", at.hour(), at.minute(), at.second(), at.microsecond())
}

#[cfg(test)]
mod clock_tests {
    #[test]
    fn clock_times_in_utc_and_in_an_offset() {
        let ns = 1_768_471_509_123_456_789; // 2026-01-15T10:05:09.123456789Z
        assert_eq!(super::clock(ns, 0), "10:05:09.123456Z");
        assert_eq!(super::clock(ns, 120), "12:05:09.123456+02:00");
        assert_eq!(super::clock(ns, -330), "04:35:09.123456-05:30");
    }
}
