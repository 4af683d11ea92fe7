//! The tree on shapes real traces take to extremes: 100k-deep chains, huge fan-outs, cycles.

use spanlens::model::notes;

fn chain(n: usize) -> String {
    let mut out = String::from("[");
    for i in 1..=n {
        let parent = if i == 1 { String::new() } else { format!(",\"parentId\":\"{:x}\"", i - 1) };
        out.push_str(&format!("{}{{\"traceId\":\"a\",\"id\":\"{i:x}\"{parent},\"name\":\"s\",\"timestamp\":{i},\"duration\":{}}}", if i == 1 { "" } else { "," }, n - i + 1));
    }
    out.push(']');
    out
}

#[test]
fn a_100k_deep_chain_does_not_overflow_the_stack() {
    let n = 100_000;
    // Run on a thread with a small stack to prove nothing recurses per span.
    let handle = std::thread::Builder::new().stack_size(256 * 1024).spawn(move || {
        let set = spanlens::load("chain.json", chain(n).as_bytes()).unwrap();
        let t = &set.traces[0];
        assert_eq!(t.spans.len(), n);
        assert_eq!(t.tree.roots.len(), 1);
        assert_eq!(t.tree.children.len(), n - 1);
    });
    handle.unwrap().join().unwrap();
}

#[test]
fn cycles_are_cut_at_the_earliest_span_and_warned() {
    let text = r#"[{"traceId":"a","id":"1","parentId":"3","name":"one","timestamp":5,"duration":1},
                   {"traceId":"a","id":"2","parentId":"1","name":"two","timestamp":2,"duration":1},
                   {"traceId":"a","id":"3","parentId":"2","name":"three","timestamp":9,"duration":1},
                   {"traceId":"a","id":"4","parentId":"4","name":"self","timestamp":1,"duration":1}]"#;
    let set = spanlens::load("cycle.json", text.as_bytes()).unwrap();
    let t = &set.traces[0];
    let cut: Vec<&str> = t.tree.cycle_cuts.iter().map(|&i| set.strings.get(t.spans[i as usize].name)).collect();
    assert_eq!(cut, ["two", "self"]);
    assert!(t.spans[1].has(notes::CYCLE_CUT));
    assert_eq!(t.tree.roots.len(), 2);
    assert_eq!(t.tree.roots.len() + t.tree.children.len(), 4, "every span is still drawn");
    assert!(t.warnings.iter().any(|w| w.contains("cycle")));
}

#[test]
fn duplicates_attach_children_to_the_first_and_say_so() {
    let text = r#"[{"traceId":"a","id":"1","name":"first","timestamp":1,"duration":10},
                   {"traceId":"a","id":"1","name":"again","timestamp":2,"duration":1},
                   {"traceId":"a","id":"2","parentId":"1","name":"child","timestamp":3,"duration":1}]"#;
    let set = spanlens::load("dup.json", text.as_bytes()).unwrap();
    let t = &set.traces[0];
    assert_eq!(t.tree.duplicates, vec![1]);
    assert_eq!(t.tree.parent[2], 0);
    assert!(t.spans[1].has(notes::DUPLICATE_ID));
}
