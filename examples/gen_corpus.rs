//! Writes a synthetic corpus: `cargo run --release --example gen_corpus -- DIR N [SEED]`;
//! `-- --queries` prints the benchmark's 200 queries instead.

#[path = "../benches/corpus_gen/mod.rs"]
mod corpus_gen;

fn main() -> std::io::Result<()> {
    if std::env::args().any(|a| a == "--queries") {
        for q in corpus_gen::queries(7) {
            println!("{q}");
        }
        return Ok(());
    }
    let mut args = std::env::args().skip(1);
    let dir = args.next().unwrap_or_else(|| "target/gen-corpus".into());
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(1000);
    let seed: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(42);
    let bytes = corpus_gen::write_corpus(std::path::Path::new(&dir), n, seed)?;
    println!("wrote {n} articles ({:.1} MB) to {dir}", bytes as f64 / 1e6);
    Ok(())
}
