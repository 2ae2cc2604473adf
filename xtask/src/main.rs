//! Tidy checks for the Atrium workspace, run by the test suite (`cargo test -p xtask`) and
//! by hand (`cargo run -p xtask`): allowed crate edges, and a `//!` line atop every .rs file.

use std::path::{Path, PathBuf};

/// Which workspace crates each crate may depend on (normal dependencies). The engines
/// depend on nothing of ours; only the binary sees everything.
pub const ALLOWED: &[(&str, &[&str])] = &[
    ("atrium-core", &[]),
    ("atrium-schedule", &[]),
    ("atrium-optimize", &[]),
    ("atrium-interop", &["atrium-core", "atrium-schedule"]),
    ("atrium-store", &["atrium-core"]),
    (
        "atrium-app",
        &[
            "atrium-core",
            "atrium-store",
            "atrium-interop",
            "atrium-schedule",
            "atrium-optimize",
        ],
    ),
    (
        "atrium-web",
        &[
            "atrium-core",
            "atrium-app",
            "atrium-store",
            "atrium-interop",
        ],
    ),
    (
        "atrium",
        &[
            "atrium-core",
            "atrium-schedule",
            "atrium-interop",
            "atrium-store",
            "atrium-app",
            "atrium-web",
            "atrium-optimize",
        ],
    ),
];

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The `atrium-*` names in a manifest's `[dependencies]` section.
pub fn internal_deps(manifest: &str) -> Vec<String> {
    let mut in_deps = false;
    let mut out = vec![];
    for line in manifest.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            in_deps = t == "[dependencies]";
            continue;
        }
        if in_deps
            && t.starts_with("atrium")
            && let Some(name) = t.split(['=', '.', ' ']).next()
        {
            out.push(name.to_owned());
        }
    }
    out
}

/// Violations of the allowed edges.
pub fn check_edges(root: &Path) -> Vec<String> {
    let mut problems = vec![];
    let Ok(dirs) = std::fs::read_dir(root.join("crates")) else {
        return vec!["no crates/ directory".into()];
    };
    for d in dirs.flatten() {
        let name = d.file_name().to_string_lossy().into_owned();
        let Ok(manifest) = std::fs::read_to_string(d.path().join("Cargo.toml")) else {
            continue;
        };
        let Some((_, allowed)) = ALLOWED.iter().find(|(n, _)| *n == name) else {
            problems.push(format!(
                "crate {name} is not listed in xtask's ALLOWED edges"
            ));
            continue;
        };
        for dep in internal_deps(&manifest) {
            if !allowed.contains(&dep.as_str()) {
                problems.push(format!("{name} must not depend on {dep}"));
            }
        }
    }
    problems
}

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        let n = e.file_name().to_string_lossy().into_owned();
        if p.is_dir() {
            if n != "target" && !n.starts_with('.') && n != "fixtures" {
                rs_files(&p, out);
            }
        } else if n.ends_with(".rs") {
            out.push(p);
        }
    }
}

/// Source files (outside tests/, benches/, examples/) whose first line is not a `//!` doc.
pub fn check_docs(root: &Path) -> Vec<String> {
    let mut files = vec![];
    rs_files(&root.join("crates"), &mut files);
    rs_files(&root.join("xtask"), &mut files);
    files
        .into_iter()
        .filter(|p| {
            !p.components().any(|c| {
                matches!(
                    c.as_os_str().to_str(),
                    Some("tests" | "benches" | "examples")
                )
            })
        })
        .filter(|p| {
            std::fs::read_to_string(p)
                .map(|s| !s.trim_start().starts_with("//!"))
                .unwrap_or(true)
        })
        .map(|p| format!("{} does not start with a //! line", p.display()))
        .collect()
}

fn main() {
    let root = workspace_root();
    let mut problems = check_edges(&root);
    problems.extend(check_docs(&root));
    if problems.is_empty() {
        println!("tidy: ok");
    } else {
        for p in &problems {
            eprintln!("tidy: {p}");
        }
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crate_edges_are_allowed() {
        assert_eq!(check_edges(&workspace_root()), Vec::<String>::new());
    }

    #[test]
    fn every_source_file_has_a_doc_line() {
        assert_eq!(check_docs(&workspace_root()), Vec::<String>::new());
    }

    #[test]
    fn edge_parser_sees_dependencies_only() {
        let m = "[dependencies]\natrium-core.workspace = true\nserde = \"1\"\n[dev-dependencies]\natrium-web = { path = \"x\" }\n";
        assert_eq!(internal_deps(m), vec!["atrium-core".to_owned()]);
    }
}
