//! `fixdex query`: answer a problem description, as text for a person or
//! JSON for a script.

use super::open::open_engine;
use super::render::{self, Style};
use super::{Cli, QueryArgs, color_on, print_json};
use crate::search::{Answer, Engine, SearchOptions};
use anyhow::Result;
use std::io::Write;

/// Runs `fixdex query`.
pub(super) fn run(cli: &Cli, a: &QueryArgs) -> Result<u8> {
    let engine = open_engine(cli, a.no_refresh)?;
    let opts = search_options(a);
    if a.stdin {
        return super::stream::answer_lines(engine, opts);
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let text = a.text.join(" ");
    let answer = engine.search(&text, &opts)?;
    if a.json {
        print_json(&answer)?;
    } else if a.jsonl {
        serde_json::to_writer(&mut out, &answer)?;
        writeln!(out)?;
    } else {
        if let Some(note) = &answer.note {
            eprintln!("fixdex: {note}");
        }
        write_text(&mut out, cli, &engine, &answer)?;
    }
    out.flush()?;
    Ok(if answer.hits.is_empty() { 1 } else { 0 })
}

fn search_options(a: &QueryArgs) -> SearchOptions {
    SearchOptions {
        limit: usize::from(a.limit),
        tags: a.tags.clone(),
        categories: a.categories.clone(),
        langs: a.langs.iter().map(|l| crate::text::lang::code_for(l)).collect(),
        all_sections: a.all_sections,
        explain: a.explain,
        min_confidence: a.min_confidence.clamp(0.0, 1.0),
    }
}

fn write_text(out: &mut impl Write, cli: &Cli, engine: &Engine, answer: &Answer) -> Result<()> {
    let width = terminal_size::terminal_size_of(std::io::stdout())
        .map_or(100, |(w, _)| usize::from(w.0))
        .clamp(40, 160);
    let style = Style {
        color: color_on(cli),
        width,
    };
    let ranges = |line: &str| engine.match_ranges(line, &answer.lang, &answer.highlight);
    out.write_all(render::render_answer(answer, style, &ranges).as_bytes())?;
    Ok(())
}
