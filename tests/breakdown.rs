//! The statistics table (`analysis::breakdown`): every column on hand-built traces, grouping by an attribute
//! and a sub-group, spans without the key, critical-path time adding up to the roots' durations, and the
//! PetClinic fixture against values worked out by hand.

mod common;

use spanlens::analysis::breakdown::{self, attribute_keys, breakdown, csv, Breakdown, Column, Dimension, Grouping, Part, Row};
use spanlens::analysis::{analyze_all, TraceAnalysis};
use spanlens::model::TraceSet;
use spanlens::testing::trace_set;

const US: i64 = 1_000;
const MS: i64 = 1_000_000;

fn parts<'a>(set: &'a TraceSet, analyses: &'a [TraceAnalysis]) -> Vec<Part<'a>> {
    set.traces
        .iter()
        .zip(analyses)
        .map(|(trace, a)| Part::new(trace, a))
        .collect()
}

fn by(set: &TraceSet, by: Dimension, then: Option<Dimension>) -> Breakdown {
    let analyses = analyze_all(set);
    breakdown(set, &parts(set, &analyses), Grouping { by, then })
}

fn key(set: &TraceSet, name: &str) -> Dimension {
    Dimension::Attribute(set.strings.lookup(name).unwrap_or_else(|| panic!("no key {name}")))
}

fn row<'a>(b: &'a Breakdown, group: &str, sub: Option<&str>) -> &'a Row {
    b.rows.iter().find(|r| r.group == group && r.sub.as_deref() == sub).unwrap_or_else(|| panic!("no row {group} / {sub:?} in {:#?}", b.rows))
}

/// checkout (gateway) calls stock twice one after the other, then pay; pay fails; a worker runs detached.
const SHOP: &str = "
checkout   gateway    0..100ms   server   http.route=/checkout
  stock    inventory  10..20ms   client   db.system=postgresql  db.rows=3
  stock    inventory  20..40ms   client   db.system=postgresql  db.rows=3
  pay      payment    40..90ms   client   error=\"card declined\"  http.route=/pay
    charge payment    50..60ms   internal db.system=redis
worker     mailer     95..99ms   consumer orphan
";

#[test]
fn every_column_by_service() {
    let set = trace_set(SHOP);
    let b = by(&set, Dimension::Service, None);
    assert_eq!(b.rows.iter().map(|r| r.group.as_str()).collect::<Vec<_>>(), ["gateway", "payment", "inventory", "mailer"], "largest total first");
    let gateway = row(&b, "gateway", None);
    // checkout: 100 ms, children cover 10..90: 20 ms of its own.
    assert_eq!((gateway.count, gateway.errors, gateway.traces), (1, 0, 1));
    assert_eq!((gateway.total_ns, gateway.min_ns, gateway.max_ns, gateway.p50_ns, gateway.p95_ns), (100 * MS, 100 * MS, 100 * MS, 100 * MS, 100 * MS));
    assert_eq!((gateway.self_ns, gateway.avg_ns(), gateway.self_avg_ns()), (20 * MS, 100 * MS, 20 * MS));
    let payment = row(&b, "payment", None);
    assert_eq!((payment.count, payment.errors, payment.total_ns, payment.min_ns, payment.max_ns), (2, 1, 60 * MS, 10 * MS, 50 * MS));
    assert_eq!((payment.p50_ns, payment.p95_ns, payment.self_ns, payment.avg_ns()), (10 * MS, 50 * MS, 50 * MS, 30 * MS));
    let inventory = row(&b, "inventory", None);
    assert_eq!((inventory.count, inventory.total_ns, inventory.p50_ns, inventory.p95_ns, inventory.self_ns), (2, 30 * MS, 10 * MS, 20 * MS, 30 * MS));
    // Self times: 20 + 50 + 30 + 4 = 104 ms; the shares add up to 1.
    assert_eq!(b.self_ns, 104 * MS);
    assert!((b.self_share(gateway) - 20.0 / 104.0).abs() < 1e-12);
    let shares: f64 = b.rows.iter().map(|r| b.self_share(r)).sum();
    assert!((shares - 1.0).abs() < 1e-12);
    // The critical path: checkout's 100 ms and the worker's 4 ms, the roots' durations; every span here is
    // on it (sequential calls): gateway 20 (0..10, 90..100), inventory 30, payment 50 (pay 40 + charge 10).
    assert_eq!(b.critical_ns, 104 * MS);
    assert_eq!(b.rows.iter().map(|r| r.critical_ns).sum::<i64>(), 104 * MS);
    assert_eq!((gateway.critical_ns, inventory.critical_ns, payment.critical_ns), (20 * MS, 30 * MS, 50 * MS));
    assert!((b.critical_share(payment) - 50.0 / 104.0).abs() < 1e-12);
    // Each column's cell as the table shows it.
    let cells: Vec<String> = Column::ALL.iter().map(|c| c.cell(&b, payment, false)).collect();
    assert_eq!(cells, ["payment", "", "2", "1", "60.0 ms", "30.0 ms", "10.0 ms", "50.0 ms", "10.0 ms", "50.0 ms", "50.0 ms", "25.0 ms", "48.1%", "50.0 ms", "48.1%"]);
}

#[test]
fn by_attribute_with_a_sub_group_and_the_spans_without_the_key() {
    let set = trace_set(SHOP);
    let db = key(&set, "db.system");
    let b = by(&set, db, Some(Dimension::Service));
    let pg = row(&b, "postgresql", Some("inventory"));
    assert_eq!((pg.count, pg.total_ns, pg.missing), (2, 30 * MS, false));
    let redis = row(&b, "redis", Some("payment"));
    assert_eq!((redis.count, redis.total_ns, redis.self_ns), (1, 10 * MS, 10 * MS));
    // The spans without db.system: a row per service under "(no db.system)".
    let none_gateway = row(&b, "(no db.system)", Some("gateway"));
    assert!(none_gateway.missing);
    assert_eq!(none_gateway.count, 1);
    let none_payment = row(&b, "(no db.system)", Some("payment"));
    assert_eq!((none_payment.count, none_payment.errors, none_payment.total_ns, none_payment.self_ns), (1, 1, 50 * MS, 40 * MS));
    assert_eq!(b.rows.iter().map(|r| r.count).sum::<u64>(), 6, "every span in one row");
    assert_eq!(b.rows.iter().map(|r| r.critical_ns).sum::<i64>(), 104 * MS);
    // An integer attribute groups by its value; `row_of` and `spans_of` say which spans a row holds.
    let rows = by(&set, key(&set, "db.rows"), None);
    let three = rows.rows.iter().position(|r| r.group == "3").unwrap();
    assert_eq!(rows.spans_of(0, three), [1, 2]);
    let missing = rows.rows.iter().position(|r| r.group == "(no db.rows)").unwrap();
    assert_eq!(rows.spans_of(0, missing), [0, 3, 4, 5]);
    // A resource attribute groups as well (service.name is one), and the picker lists the keys present.
    let by_resource = by(&set, key(&set, "service.name"), None);
    assert_eq!(by_resource.rows.iter().map(|r| (r.group.as_str(), r.count)).collect::<Vec<_>>(), [("gateway", 1), ("payment", 2), ("inventory", 2), ("mailer", 1)]);
    let analyses = analyze_all(&set);
    let keys: Vec<(String, u64)> = attribute_keys(&set, &parts(&set, &analyses)).into_iter().map(|(k, n)| (set.strings.get(k).to_string(), n)).collect();
    assert_eq!(keys[0], ("service.name".to_string(), 6));
    assert!(keys.contains(&("db.system".to_string(), 3)) && keys.contains(&("http.route".to_string(), 2)), "{keys:?}");
}

#[test]
fn percentiles_are_nearest_rank_and_groups_span_traces() {
    // 20 spans of 1..20 ms in one trace, and 20 more of 21..40 ms in a second trace.
    let mut picture = String::new();
    for t in 1..=2u64 {
        picture += &format!("root svc 0..100ms trace={t}\n");
        for i in 1..=20 {
            let d = (t as i64 - 1) * 20 + i;
            picture += &format!("  q db 0..{d}ms trace={t}\n");
        }
    }
    let set = trace_set(&picture);
    assert_eq!(set.traces.len(), 2);
    let b = by(&set, Dimension::Operation, None);
    let q = row(&b, "db: q", None);
    assert_eq!((q.count, q.traces, q.min_ns, q.max_ns), (40, 2, MS, 40 * MS));
    assert_eq!((q.p50_ns, q.p95_ns), (20 * MS, 38 * MS), "ranks 20 and 38 of 40");
    assert_eq!(b.critical_ns, 200 * MS, "two roots of 100 ms");
    assert_eq!(b.row_of.len(), 2);
}

#[test]
fn sorting_by_each_column_and_the_csv() {
    let set = trace_set(SHOP);
    let b = by(&set, Dimension::Service, None);
    let groups = |order: Vec<usize>| order.into_iter().map(|r| b.rows[r].group.clone()).collect::<Vec<_>>();
    assert_eq!(groups(breakdown::sorted(&b, Column::Group, false)), ["gateway", "inventory", "mailer", "payment"]);
    assert_eq!(groups(breakdown::sorted(&b, Column::Errors, true)), ["payment", "gateway", "inventory", "mailer"], "ties keep the first order");
    assert_eq!(groups(breakdown::sorted(&b, Column::Max, true)), ["gateway", "payment", "inventory", "mailer"]);
    assert_eq!(groups(breakdown::sorted(&b, Column::Min, false)), ["mailer", "payment", "inventory", "gateway"]);
    for column in Column::ALL {
        let order = breakdown::sorted(&b, column, true);
        assert_eq!(order.len(), b.rows.len());
        if !column.is_text() {
            assert!(order.windows(2).all(|w| column.value(&b, &b.rows[w[0]]) >= column.value(&b, &b.rows[w[1]])), "{column:?}");
        }
    }
    let text = csv(&b, &breakdown::sorted(&b, Column::Total, true), &[Column::Group, Column::Count, Column::Total, Column::SelfShare, Column::Critical]);
    let lines: Vec<&str> = text.trim_end().split("\r\n").collect();
    assert_eq!(lines[0], "group,count,total_ns,self_percent,critical_path_ns");
    assert_eq!(lines[1], "gateway,1,100000000,19.2308,20000000");
    assert_eq!(lines.len(), 5);
}

/// PetClinic (Jaeger UI's statistics test trace): api-gateway's two spans nest, customers-service's
/// `GET /owners` runs 14 queries, several in parallel. Worked out by hand from the file (µs):
/// - root `GET /api/customer/owners` [-376, 3344] ⊃ gateway `GET /owners` [0, 2977] ⊃ customers
///   `GET /owners` [640, 2336] ⊃ the queries, whose union is [1473,1504] ∪ [1521,1561] ∪ [2146,2192] ∪
///   [2282,2301] = 31 + 40 + 46 + 19 = 136;
/// - self: root 3720 − 2977 = 743, gateway 2977 − 1696 = 1281, customers 1696 − 136 = 1560, queries their
///   own 345 (they have no children);
/// - the critical path walks back from 3344: root 367, gateway 641, customers 35, query c045 19, customers
///   90, query 9f0a 46, customers 585, query 0001 40 (first of three equal ends), customers 17, query d293
///   31, customers 833, gateway 640, root 376: root 743, gateway 1281, customers 1560, queries 136.
#[test]
fn petclinic_against_values_worked_out_by_hand() {
    let (set, _) = common::load_fixture("jaeger-petclinic-single-trace.json");
    let b = by(&set, Dimension::Service, None);
    let gateway = row(&b, "api-gateway", None);
    assert_eq!((gateway.count, gateway.total_ns, gateway.min_ns, gateway.max_ns), (2, 6697 * US, 2977 * US, 3720 * US));
    assert_eq!((gateway.p50_ns, gateway.p95_ns, gateway.self_ns, gateway.critical_ns), (2977 * US, 3720 * US, 2024 * US, 2024 * US));
    let customers = row(&b, "customers-service", None);
    assert_eq!((customers.count, customers.errors, customers.total_ns, customers.min_ns, customers.max_ns), (15, 0, 2041 * US, 14 * US, 1696 * US));
    assert_eq!((customers.p50_ns, customers.p95_ns), (19 * US, 1696 * US));
    assert_eq!((customers.self_ns, customers.critical_ns), (1905 * US, 1696 * US));
    assert_eq!((b.self_ns, b.critical_ns), (3929 * US, 3720 * US));

    let ops = by(&set, Dimension::Operation, None);
    let query = row(&ops, "customers-service: HikariProxyPreparedStatement.executeQuery", None);
    assert_eq!((query.count, query.total_ns, query.min_ns, query.max_ns, query.p50_ns, query.p95_ns), (14, 345 * US, 14 * US, 46 * US, 19 * US, 46 * US));
    assert_eq!((query.self_ns, query.critical_ns, query.avg_ns()), (345 * US, 136 * US, 345 * US / 14));
    let root = row(&ops, "api-gateway: GET /api/customer/owners", None);
    assert_eq!((root.self_ns, root.critical_ns), (743 * US, 743 * US));
    let owners = row(&ops, "customers-service: GET /owners", None);
    assert_eq!((owners.self_ns, owners.critical_ns), (1560 * US, 1560 * US));
}
