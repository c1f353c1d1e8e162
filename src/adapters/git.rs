//! The project's git repository, read through the `git` command: the user
//! name it would commit as, and `HEAD` with whether the tree is dirty. Read
//! only; no repository (or no git) simply gives nothing.

use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    super::trace::command("git", args, Some(dir));
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    super::trace::command_answer(
        out.status.success(),
        &String::from_utf8_lossy(&out.stdout),
        &String::from_utf8_lossy(&out.stderr),
    );
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// `git config user.name` as seen from `dir`.
pub fn user_name(dir: &Path) -> Option<String> {
    git(dir, &["config", "user.name"]).filter(|n| !n.is_empty())
}

/// `HEAD`'s commit id and whether the working tree has uncommitted changes,
/// when `dir` is inside a git repository with at least one commit.
pub fn head(dir: &Path) -> Option<(String, bool)> {
    let commit = git(dir, &["rev-parse", "--verify", "HEAD"])?;
    let status = git(dir, &["status", "--porcelain", "--untracked-files=no"])?;
    Some((commit, !status.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(dir: &Path, args: &[&str]) {
        assert!(
            Command::new("git")
                .arg("-C")
                .arg(dir)
                .args(args)
                .output()
                .unwrap()
                .status
                .success()
        );
    }

    #[test]
    fn commit_and_dirty_tree_are_read() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(head(dir.path()), None);
        run(dir.path(), &["init", "-q"]);
        run(dir.path(), &["config", "user.name", "Camille Exploitation"]);
        run(dir.path(), &["config", "user.email", "camille@example.org"]);
        std::fs::write(dir.path().join("docker-compose.yml"), "services: {}\n").unwrap();
        run(dir.path(), &["add", "."]);
        run(dir.path(), &["commit", "-q", "-m", "pile"]);
        let (commit, dirty) = head(dir.path()).unwrap();
        assert_eq!(commit.len(), 40);
        assert!(!dirty);
        std::fs::write(dir.path().join("docker-compose.yml"), "services: {a: {}}\n").unwrap();
        assert!(head(dir.path()).unwrap().1);
        assert_eq!(
            user_name(dir.path()).as_deref(),
            Some("Camille Exploitation")
        );
    }
}
