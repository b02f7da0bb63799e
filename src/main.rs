//! The `frontline` binary: parses the command line and hands over to [`frontline::cli`].

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = frontline::cli::Cli::parse();
    std::process::ExitCode::from(frontline::cli::run(cli))
}
