//! `fixdex eval`: the relevance check, or with `--ablate` one run per
//! ranking piece switched off.

use super::open::open_engine;
use super::{Cli, EvalArgs, print_json};
use crate::eval;
use anyhow::{Context, Result};
use std::io::Write;

/// Runs `fixdex eval`.
pub(super) fn run(cli: &Cli, a: &EvalArgs) -> Result<u8> {
    let text = std::fs::read_to_string(&a.queries)
        .with_context(|| format!("cannot read queries file {}", a.queries.display()))?;
    let cases = eval::parse_cases(&text).with_context(|| format!("in {}", a.queries.display()))?;
    let mut engine = open_engine(cli, a.no_refresh)?;
    if a.ablate {
        let rows = eval::ablate(&mut engine, &cases)?;
        let mut out = std::io::stdout().lock();
        if a.json {
            let v: Vec<_> = rows
                .iter()
                .map(|(n, r)| serde_json::json!({"ranking": n, "report": r}))
                .collect();
            print_json(&v)?;
        } else {
            out.write_all(eval::render_ablation(&rows).as_bytes())?;
        }
        return Ok(0);
    }
    let report = eval::evaluate(&engine, &cases)?;
    let mut out = std::io::stdout().lock();
    if a.json {
        print_json(&report)?;
    } else {
        out.write_all(eval::render(&report).as_bytes())?;
    }
    Ok(match a.min_success {
        Some(min) if report.success_at_1 < min => 1,
        _ => 0,
    })
}
