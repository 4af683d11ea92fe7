//! The events tab: every span event (logs, exceptions) of a trace in time order, with what an exception
//! says (type, message, how long its stack is).

use crate::model::{AttrValue, Event, SpanIx, Trace, TraceSet};

/// One event: its span and its index among the span's events.
pub type EventRef = (SpanIx, u32);

/// Every event of the spans `keep` lets through (all when `None`), earliest first (ties in span order).
pub fn in_time_order(trace: &Trace, keep: Option<&[bool]>) -> Vec<EventRef> {
    let mut out: Vec<EventRef> = Vec::new();
    for (i, span) in trace.spans.iter().enumerate() {
        if keep.is_none_or(|k| k[i]) {
            out.extend((0..span.events().len() as u32).map(|e| (i as SpanIx, e)));
        }
    }
    out.sort_by_key(|&(s, e)| (trace.spans[s as usize].events()[e as usize].time_ns, s, e));
    out
}

/// What an `exception` event says (OpenTelemetry's `exception.type`, `exception.message`,
/// `exception.stacktrace`), or the event's attributes as `key=value` for any other event.
pub struct Said {
    pub text: String,
    /// The stack trace, when there is one.
    pub stack: Option<String>,
}

pub fn said(set: &TraceSet, event: &Event) -> Said {
    let get = |key: &str| {
        event.attributes.iter().find(|a| set.str(a.key) == key).map(|a| match &a.value {
            AttrValue::Str(s) => set.str(*s).to_string(),
            other => other.display(&set.strings),
        })
    };
    if set.str(event.name) == "exception" {
        let head = [get("exception.type"), get("exception.message")].into_iter().flatten().collect::<Vec<_>>().join(": ");
        return Said { text: head, stack: get("exception.stacktrace") };
    }
    let pairs = event.attributes.iter().map(|a| format!("{}={}", set.str(a.key), a.value.display(&set.strings)));
    Said { text: pairs.collect::<Vec<_>>().join(" "), stack: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_in_time_order_and_what_an_exception_says() {
        let doc = r#"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"shop"}}]},"scopeSpans":[{"spans":[
            {"traceId":"01","spanId":"01","name":"a","startTimeUnixNano":"100","endTimeUnixNano":"900",
             "events":[{"timeUnixNano":"500","name":"late","attributes":[{"key":"k","value":{"intValue":"7"}}]},
                       {"timeUnixNano":"200","name":"exception","attributes":[
                          {"key":"exception.type","value":{"stringValue":"IOError"}},
                          {"key":"exception.message","value":{"stringValue":"disk full"}},
                          {"key":"exception.stacktrace","value":{"stringValue":"at a\nat b"}}]}]},
            {"traceId":"01","spanId":"02","parentSpanId":"01","name":"b","startTimeUnixNano":"300","endTimeUnixNano":"400",
             "events":[{"timeUnixNano":"300","name":"mid"}]}]}]}]}"#;
        let set = crate::load("e.json", doc.as_bytes()).unwrap();
        let trace = &set.traces[0];
        let order = in_time_order(trace, None);
        assert_eq!(order, [(0, 1), (1, 0), (0, 0)]);
        let exception = said(&set, &trace.spans[0].events()[1]);
        assert_eq!((exception.text.as_str(), exception.stack.as_deref()), ("IOError: disk full", Some("at a\nat b")));
        assert_eq!(said(&set, &trace.spans[0].events()[0]).text, "k=7");
        assert_eq!(in_time_order(trace, Some(&[false, true])), [(1, 0)]);
    }
}
