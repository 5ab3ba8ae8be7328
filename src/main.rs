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

/// mimalloc v2's `mi_option_purge_delay` (its place in `mi_option_e`;
/// the crate names no constant for it): how many milliseconds freed memory
/// waits before it goes back to the system, 10 by default.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// For `fixdex index`: freed memory goes back to the system at once, so what
/// the parsers and the writer freed is gone before the final merge maps the
/// segments (peak RSS of a full build of the 14k corpus 285 -> 236 MB, for
/// 4% of its time). Queries keep the delay: purging at once costs them 5%.
fn return_freed_memory_at_once() {
    // SAFETY: called on the main thread before any other thread starts.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 0) }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    if matches!(cli.command, cli::Command::Index(_)) {
        return_freed_memory_at_once();
    }
    match failure::contain_panics(|| cli::run(&cli)) {
        Ok(code) => ExitCode::from(code),
        Err(e) if failure::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fixdex: {}", failure::one_sentence(&e, &cli.index));
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_purge_delay_option_is_the_one_set() {
        // The documented default of purge_delay: a wrong index would name
        // another option.
        assert_eq!(unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) }, 10);
    }
}
