//! `fixdex show`: one section in full, by id.

use super::query::display_corpus;
use super::render;
use super::{Cli, ShowArgs, print_json};
use crate::index;
use crate::search::Engine;
use anyhow::Result;
use std::io::Write;

/// Runs `fixdex show`.
pub(super) fn run(cli: &Cli, a: &ShowArgs) -> Result<u8> {
    let open = index::open_index(&cli.index)?;
    let engine = Engine::new(open, None)?;
    let Some(s) = engine.show(&a.id)? else {
        eprintln!(
            "fixdex: no section with id {:?}; ids come from `fixdex query --json`",
            a.id
        );
        return Ok(1);
    };
    let mut out = std::io::stdout().lock();
    if a.json {
        print_json(&s)?;
    } else {
        writeln!(out, "{}", s.breadcrumb.join(" › "))?;
        writeln!(out, "{}", render::location(display_corpus(cli), &s.path, s.line))?;
        if !s.steps.is_empty() {
            writeln!(out, "\nSteps")?;
            for st in &s.steps {
                writeln!(out, "  • {st}")?;
            }
        }
        writeln!(out)?;
        for l in s.text.lines() {
            writeln!(out, "  {l}")?;
        }
    }
    Ok(0)
}
