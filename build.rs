//! Build script: records the git commit the binary is built from, for
//! `journal --version`. Without git or outside a repository (crate archive,
//! `cargo install` from a tarball) the version is shown without a commit.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!s.is_empty()).then_some(s)
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let commit = git(&["rev-parse", "--short=10", "HEAD"]);
    // Rebuild when HEAD moves: HEAD itself (branch switch) and the branch's
    // ref (a commit), loose or packed.
    if let Some(dir) = git(&["rev-parse", "--git-dir"]) {
        println!("cargo:rerun-if-changed={dir}/HEAD");
    }
    if let Some(common) = git(&["rev-parse", "--git-common-dir"]) {
        println!("cargo:rerun-if-changed={common}/packed-refs");
        if let Some(r) = git(&["symbolic-ref", "-q", "HEAD"]) {
            println!("cargo:rerun-if-changed={common}/{r}");
        }
    }
    let suffix = match commit {
        Some(c) => format!(" (commit {c})"),
        None => String::new(),
    };
    println!("cargo:rustc-env=BUILD_GIT_COMMIT={suffix}");
}
