//! The module structure DESIGN.md asks for, checked on the source: no two modules of `formats/` or `view/`
//! import each other, only the UI's entry module calls into the embedding API, and the UI's modules import
//! one way (no module of `src/ui` reaches itself again through what it imports: views → actions → platform
//! → state, never back). For the UI every `crate::ui::…` and `super::…` path names a module, and that is an
//! edge; a folder's `mod.rs` and the files inside it are one unit (they may use each other); the root
//! `ui/mod.rs`, which starts the app and wires everything, and test code are left out.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
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

type Module = Vec<String>;

fn module_of(path: &Path, root: &Path) -> Module {
    let rel = path.strip_prefix(root).unwrap();
    let mut parts: Module = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let last = parts.pop().unwrap();
    if last != "mod.rs" {
        parts.push(last.trim_end_matches(".rs").to_string());
    }
    parts
}

fn ui_sources(root: &Path) -> Vec<(Module, String)> {
    let mut out = Vec::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let name = path.file_name().unwrap().to_string_lossy();
                if name.ends_with("tests.rs") {
                    continue;
                }
                // Comments name modules too ("see `views::flame`"): only code counts.
                let text = std::fs::read_to_string(&path).unwrap();
                let code: String = text
                    .split("#[cfg(test)]")
                    .next()
                    .unwrap()
                    .lines()
                    .filter(|l| !l.trim_start().starts_with("//"))
                    .collect::<Vec<_>>()
                    .join("\n");
                out.push((module_of(&path, root), code));
            }
        }
    }
    out
}

/// Paths in `code` that start at `crate::ui::` or `super::`, as module paths from `src/ui`, with the first
/// level of `{a, b::c}` groups spread out.
fn paths(module: &Module, code: &str) -> Vec<Module> {
    let mut found = Vec::new();
    let bytes = code.as_bytes();
    let mut at = 0;
    while at < code.len() {
        let rest = &code[at..];
        let start = if rest.starts_with("crate::ui::") {
            Some((Vec::new(), "crate::ui::".len()))
        } else if rest.starts_with("super::") && (at == 0 || !(bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b':' || bytes[at - 1] == b'_')) {
            // `super` of a file is its folder; of a folder's mod.rs, the folder above.
            let mut base = module.clone();
            let mut len = 0;
            let mut tail = rest;
            base.pop();
            while let Some(more) = tail.strip_prefix("super::") {
                len += "super::".len();
                tail = more;
                if len > "super::".len() {
                    base.pop();
                }
            }
            Some((base, len))
        } else {
            None
        };
        let Some((base, skip)) = start else {
            at += rest.chars().next().map_or(1, char::len_utf8);
            continue;
        };
        let tail = &rest[skip..];
        let take = |s: &str| s.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).next().unwrap_or("").to_string();
        if let Some(group) = tail.strip_prefix('{') {
            let inner = group.split('}').next().unwrap_or("");
            for item in inner.split(',') {
                let item = take(item.trim());
                let mut path = base.clone();
                path.extend(item.split("::").filter(|s| !s.is_empty()).map(String::from));
                found.push(path);
            }
        } else {
            let mut path = base.clone();
            path.extend(take(tail).split("::").filter(|s| !s.is_empty()).map(String::from));
            found.push(path);
        }
        at += skip;
    }
    found
}

/// The known module a path points into: its longest prefix that is one.
fn owner(path: &Module, modules: &BTreeSet<Module>) -> Option<Module> {
    (1..=path.len()).rev().map(|n| path[..n].to_vec()).find(|m| modules.contains(m))
}

#[test]
fn no_module_of_the_ui_imports_itself_round_a_circle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ui");
    let files = ui_sources(&root);
    let modules: BTreeSet<Module> = files.iter().map(|(m, _)| m.clone()).filter(|m| !m.is_empty()).collect();
    let mut edges: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    for (module, code) in &files {
        if module.is_empty() {
            continue;
        }
        for path in paths(module, code) {
            let Some(to) = owner(&path, &modules) else { continue };
            // A folder and what is inside it are one unit.
            let related = to.starts_with(module) || module.starts_with(&to);
            if !related {
                edges.entry(module.clone()).or_default().insert(to);
            }
        }
    }
    assert!(edges.len() > 20, "the scan found the UI's imports ({} modules with imports)", edges.len());
    let name = |m: &Module| m.join("::");
    let mut circles = Vec::new();
    for start in edges.keys() {
        // Breadth-first from `start`; a way back to it is a circle.
        let mut came_from: BTreeMap<Module, Module> = BTreeMap::new();
        let mut queue: VecDeque<Module> = VecDeque::from([start.clone()]);
        while let Some(at) = queue.pop_front() {
            for next in edges.get(&at).into_iter().flatten() {
                if next == start {
                    let mut way = vec![at.clone()];
                    while way.last() != Some(start) {
                        way.push(came_from[way.last().unwrap()].clone());
                    }
                    way.reverse();
                    way.push(start.clone());
                    circles.push(way.iter().map(name).collect::<Vec<_>>().join(" → "));
                    queue.clear();
                    break;
                }
                if !came_from.contains_key(next) && next != start {
                    came_from.insert(next.clone(), at.clone());
                    queue.push_back(next.clone());
                }
            }
        }
    }
    assert!(circles.is_empty(), "import circles in src/ui:\n{}", circles.join("\n"));
}

#[test]
fn the_scan_sees_paths_and_groups() {
    let module: Module = vec!["views".into(), "flame".into(), "input".into()];
    let found = paths(&module, "use super::{schedule, Core};\nuse crate::ui::state::AppState;\nx::super::y");
    assert_eq!(
        found,
        vec![
            vec!["views", "flame", "schedule"].into_iter().map(String::from).collect::<Module>(),
            vec!["views", "flame", "Core"].into_iter().map(String::from).collect(),
            vec!["state", "AppState"].into_iter().map(String::from).collect(),
        ]
    );
    let folder: Module = vec!["views".into(), "flame".into()];
    assert_eq!(paths(&folder, "super::charts::draw")[0], vec!["views".to_string(), "charts".into(), "draw".into()]);
}

#[test]
fn actions_and_the_platform_never_import_a_view() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ui");
    let mut offenders = Vec::new();
    for (module, code) in ui_sources(&root) {
        let first = module.first().map(String::as_str);
        let forbidden: &[&str] = match first {
            Some("actions") | Some("state") | Some("embed") => &["crate::ui::views", "crate::ui::shell"],
            Some("platform") => &["crate::ui::views", "crate::ui::shell", "crate::ui::actions"],
            _ => &[],
        };
        for path in forbidden.iter().filter(|p| code.contains(*p)) {
            offenders.push(format!("{} names {path}", module.join("::")));
        }
    }
    assert!(offenders.is_empty(), "{offenders:#?}");
}
