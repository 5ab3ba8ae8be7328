//! The command line: [`args`] (clap), one module per command, the index
//! opening they share ([`open`]), text [`render`]ing and how [`failure`]s
//! are reported.

pub mod args;
mod eval;
pub mod failure;
mod fit;
mod index;
mod open;
mod query;
pub mod render;
mod serve;
mod show;
mod stats;
mod stream;

pub use args::*;

use anyhow::Result;
use clap::CommandFactory;
use std::io::{IsTerminal, Write};

/// Runs the command; returns the exit code (0 found or done, 1 nothing found).
pub fn run(cli: &Cli) -> Result<u8> {
    match &cli.command {
        Command::Index(a) => index::run(cli, a),
        Command::Query(a) => query::run(cli, a),
        Command::Show(a) => show::run(cli, a),
        Command::Stats(a) => stats::run(cli, a),
        Command::Eval(a) => eval::run(cli, a),
        Command::Serve(a) => serve::run(cli, a),
        Command::Mcp(a) => serve::mcp(cli, a),
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            clap_complete::generate(*shell, &mut cmd, "fixdex", &mut std::io::stdout());
            Ok(0)
        }
        Command::Man => {
            let mut buf = Vec::new();
            clap_mangen::Man::new(Cli::command()).render(&mut buf)?;
            std::io::stdout().write_all(&buf)?;
            Ok(0)
        }
    }
}

/// Whether to colour standard output.
fn color_on(cli: &Cli) -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    match cli.color {
        ColorChoice::Never => false,
        ColorChoice::Always => !no_color,
        ColorChoice::Auto => !no_color && std::io::stdout().is_terminal(),
    }
}

/// Prints a value as pretty JSON on standard output.
fn print_json(value: &impl serde::Serialize) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}
