//! The `frontline` binary: parses the command line and hands over to one of the two faces,
//! [`frontline::lsp`] (the language server) or [`frontline::cli`] (`check`, `actors`).

use clap::Parser;
use frontline::cli::{Cli, Command};

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Lsp { .. } => {
            limit_malloc_arenas();
            frontline::lsp::run_stdio()
        }
        command => frontline::cli::run(command),
    };
    std::process::ExitCode::from(code)
}

/// glibc gives threads that allocate at once arenas of their own, up to eight per core, and keeps
/// what each arena freed. The server's threads (when this was measured: two workers, the blocking
/// pool, the workspace index) made that 59 MB with a 1 MB story open, and 40 MB with two arenas, for no measurable
/// difference in speed (docs/benchmarks-history.md). `check` keeps the default: it analyses files in parallel.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` sets a parameter of the allocator and is safe to call at any time; here no
    // other thread exists yet.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}
