//! `fixdex show`: one section in full, by id.

use super::fit::location;
use super::{Cli, ShowArgs, print_json};
use crate::index;
use crate::ingest::sections::Section;
use crate::search::Engine;
use anyhow::Result;
use serde::Serialize;
use std::io::Write;

/// `show --json`: the section, and the absolute path of its file.
#[derive(Serialize)]
struct Shown<'a> {
    #[serde(flatten)]
    section: &'a Section,
    file: String,
}

/// Runs `fixdex show`.
pub(super) fn run(cli: &Cli, a: &ShowArgs) -> Result<u8> {
    super::open::corpus_for(cli, cli.corpus.as_deref(), false)?;
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
        let file = engine.file_of(&s.path).display().to_string();
        print_json(&Shown { section: &s, file })?;
    } else {
        writeln!(out, "{}", s.breadcrumb.join(" › "))?;
        writeln!(out, "{}", location(&engine.file_of(&s.path), s.line))?;
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
