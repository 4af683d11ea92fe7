//! The module structure DESIGN.md asks for, checked on the source: no two modules of `formats/` or `view/`
//! import each other, and only the UI's entry module calls into the embedding API.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The sibling modules a module of `dir` names (`super::x`, `use super::{x, y::…}`, `crate::<dir>::x`).
/// Test code (`#[cfg(test)]` and below) is left out: tests may use anything.
fn imports(dir: &str, file: &Path, siblings: &BTreeSet<String>) -> BTreeSet<String> {
    let text = std::fs::read_to_string(file).unwrap();
    let code = text.split("#[cfg(test)]").next().unwrap();
    let mut found = BTreeSet::new();
    for (at, _) in code.match_indices("super::").chain(code.match_indices(&format!("crate::{dir}::"))) {
        let rest = &code[at..];
        let rest = &rest[rest.find("::").unwrap() + 2..];
        // `super::{a, b::c}` names a and b; `super::a::…` names a.
        let names: Vec<&str> = match rest.strip_prefix('{') {
            Some(list) => list[..list.find('}').unwrap_or(list.len())].split(',').collect(),
            None => vec![rest],
        };
        for name in names {
            let name: String = name.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if siblings.contains(&name) {
                found.insert(name);
            }
        }
    }
    found
}

fn module_files(dir: &str) -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(src().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    out.sort();
    out
}

fn mutual_imports(dir: &str) -> Vec<(String, String)> {
    let files = module_files(dir);
    let names: BTreeSet<String> = files.iter().map(|(n, _)| n.clone()).filter(|n| n != "mod").collect();
    let graph: Vec<(String, BTreeSet<String>)> =
        files.iter().filter(|(n, _)| n != "mod").map(|(n, p)| (n.clone(), imports(dir, p, &names))).collect();
    let mut pairs = Vec::new();
    for (a, uses) in &graph {
        for b in uses {
            let back = graph.iter().find(|(n, _)| n == b).is_some_and(|(_, u)| u.contains(a));
            if back && a < b {
                pairs.push((a.clone(), b.clone()));
            }
        }
    }
    pairs
}

#[test]
fn no_two_modules_of_formats_or_view_import_each_other() {
    for dir in ["formats", "view"] {
        assert_eq!(mutual_imports(dir), Vec::<(String, String)>::new(), "src/{dir}: modules that import each other");
    }
}

#[test]
fn the_import_check_sees_a_circle() {
    // The check itself: a made-up pair of files that name each other is found.
    let dir = std::env::temp_dir().join(format!("spanlens-arch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("a.rs"), "use super::{b, c::X};\n").unwrap();
    std::fs::write(dir.join("b.rs"), "use super::a::Y;\n#[cfg(test)]\nuse super::c;\n").unwrap();
    let names: BTreeSet<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
    assert_eq!(imports("x", &dir.join("a.rs"), &names), ["b", "c"].iter().map(|s| s.to_string()).collect());
    assert_eq!(imports("x", &dir.join("b.rs"), &names), ["a"].iter().map(|s| s.to_string()).collect());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn only_the_ui_entry_module_calls_into_the_embedding_api() {
    let mut offenders = Vec::new();
    let mut stack = vec![src()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") && path != src().join("ui/mod.rs") && path != src().join("ui/embed.rs") {
                if std::fs::read_to_string(&path).unwrap().contains("embed::") {
                    offenders.push(path.display().to_string());
                }
            }
        }
    }
    assert!(offenders.is_empty(), "embed:: used outside src/ui/mod.rs: {offenders:?}");
}
