//! The `journal` binary: everything happens in [`journal::cmd::main`].

fn main() -> std::process::ExitCode {
    journal::cmd::main()
}
