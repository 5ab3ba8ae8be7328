//! Prints every section of a corpus as JSON lines, for inspecting the
//! cleaning and splitting rules: `cargo run --release --example dump_sections -- DIR`.

use std::io::Write;

fn main() -> anyhow::Result<()> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "corpus".into());
    let root = std::path::Path::new(&dir);
    let walked = fixdex::index::corpus_files(root, std::path::Path::new("index"), false)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for f in walked.files {
        match fixdex::ingest::article::read_article(&f.abs, &f.rel) {
            Ok(a) => {
                for s in a.sections {
                    serde_json::to_writer(&mut out, &s)?;
                    writeln!(out)?;
                }
            }
            Err(e) => eprintln!("skipped {}: {e}", f.rel),
        }
    }
    Ok(())
}
