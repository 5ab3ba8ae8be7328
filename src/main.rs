//! The `fixdex` binary: parse arguments, run the command, map the outcome
//! to an exit code (0 found, 1 nothing found, 2 error).

use clap::Parser;
use fixdex::cli::{self, Cli, failure};
use std::process::ExitCode;

/// mimalloc (its v2 line) rather than glibc's allocator: a full build frees
/// the writer's and the parser's memory before the final merge instead of
/// keeping it in per-thread arenas (peak RSS on the 14k corpus 357 -> 301
/// MB). Its v3 line gave queries occasional 20-30 ms stalls.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match failure::contain_panics(|| cli::run(&cli)) {
        Ok(code) => ExitCode::from(code),
        Err(e) if failure::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fixdex: {}", failure::one_sentence(&e, &cli.index));
            ExitCode::from(2)
        }
    }
}
