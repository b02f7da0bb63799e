//! The `frontline` binary: parses the command line and hands over to one of the two faces,
//! [`frontline::lsp`] (the language server) or [`frontline::cli`] (`check`, `actors`).

use clap::Parser;
use frontline::cli::{Cli, Command};

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Lsp { .. } => frontline::lsp::run_stdio(),
        command => frontline::cli::run(command),
    };
    std::process::ExitCode::from(code)
}
