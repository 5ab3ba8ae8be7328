//! The index-wide search done term at a time (`search/sweep.rs`) gives the
//! answers tantivy's union scorer gives, to the bit: hits, scores, order
//! and `total`, in a merged index and in one with several segments and
//! deleted sections.

use fixdex::index::{IndexOptions, open_index, run_index};
use fixdex::search::{Answer, Engine, Ranking, SearchOptions};
use std::path::Path;

/// A small deterministic generator (a linear congruential one).
struct Lcg(u64);

impl Lcg {
    fn pick<'a>(&mut self, words: &[&'a str]) -> &'a str {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        words[(self.0 >> 33) as usize % words.len()]
    }
}

const VOCAB: &[&str] = &[
    "cable", "light", "panel", "screen", "driver", "folder", "window", "account", "battery", "signal",
    "update", "button", "system", "network", "storage", "printer", "camera", "speaker", "monitor",
    "keyboard", "reset", "router", "restart", "settings", "password", "error",
];

/// Article `a`: ten sections of generated words (every vocabulary word in
/// most of them, "modem" in a quarter); some headed "Causes of …" (for the
/// question form). From article 80 on, each is a copy of one of three
/// guides (re-published under another title), which say "camera" most:
/// the best-scoring sections for it are then thousands of copies of 30
/// texts, and the collector has to look further down for 100.
fn article(a: usize, rng: &mut Lcg, edit: usize) -> String {
    let source = if a >= 80 { 1000 + a % 3 } else { a };
    let mut local = Lcg(source as u64 * 7919 + 1);
    let mut s = format!("---\ntitle: Manual {a} for model {}\n---\n\n", rng.pick(VOCAB));
    for k in 0..10 {
        let heading = match k % 4 {
            _ if source >= 1000 => format!("Camera camera {}", local.pick(VOCAB)),
            0 => format!("Causes of the {} problem", local.pick(VOCAB)),
            _ => format!("Fix {} {}", local.pick(VOCAB), local.pick(VOCAB)),
        };
        let mut body: Vec<&str> = (0..20 + k).map(|_| local.pick(VOCAB)).collect();
        if (source * 10 + k) % 4 == 0 {
            body.push("modem"); // in a quarter of the texts: rarer than "reset"
        }
        let cameras = if source >= 1000 { 6 } else { (source + k) % 4 };
        body.extend(std::iter::repeat_n("camera", cameras));
        s.push_str(&format!(
            "## {heading}\n\n{} part{source}x{k}v{edit}\n\n",
            body.join(" ")
        ));
    }
    s
}

fn build(corpus: &Path, index: &Path) {
    let opts = IndexOptions {
        corpus: corpus.to_path_buf(),
        index_dir: index.to_path_buf(),
        rebuild: false,
        ..IndexOptions::default()
    };
    run_index(&opts).unwrap();
}

/// The answers to `queries` with the sweep on and off.
fn both(index: &Path, corpus: &Path, queries: &[&str], base: &Ranking) -> Vec<(Answer, Answer)> {
    let mut e = Engine::new(open_index(index).unwrap(), Some(corpus)).unwrap();
    let opts = SearchOptions {
        limit: 100,
        ..Default::default()
    };
    let mut out = Vec::new();
    for q in queries {
        let mut pair = Vec::new();
        for sweep in [true, false] {
            e.set_ranking(Ranking {
                sweep,
                ..base.clone()
            });
            pair.push(e.search(q, &opts).unwrap());
        }
        let tantivy = pair.pop().unwrap();
        out.push((pair.pop().unwrap(), tantivy));
    }
    out
}

fn assert_same(pairs: &[(Answer, Answer)]) {
    for (swept, tantivy) in pairs {
        let q = &swept.query;
        assert_eq!(swept.total, tantivy.total, "{q}: total");
        let hits = |a: &Answer| {
            (a.hits.iter())
                .map(|h| (h.id.clone(), h.score.to_bits(), h.also_in.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(hits(swept), hits(tantivy), "{q}: hits");
    }
}

const QUERIES: &[&str] = &[
    // "reset" is in most sections: its body clause is left to the re-rank
    // while "modem" finds the candidates, and only counted index-wide.
    "reset the modem",
    "reset the router",
    // The question form's optional clause ("why" → "Causes of").
    "why does the printer driver fail",
    "camera",
    "keyboard battery signal storage",
    // A typo: the corrected word has two spellings, tantivy's path.
    "pasword settings",
];

#[test]
fn the_sweep_scores_as_tantivy_does_in_merged_and_edited_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let (corpus, index) = (dir.path().join("corpus"), dir.path().join("index"));
    std::fs::create_dir_all(&corpus).unwrap();
    let mut rng = Lcg(11);
    for a in 0..200 {
        std::fs::write(corpus.join(format!("a{a}.md")), article(a, &mut rng, 0)).unwrap();
    }
    build(&corpus, &index);
    let ranking = Ranking {
        common: 0.3,
        ..Ranking::default()
    };
    let merged = both(&index, &corpus, QUERIES, &ranking);
    // "reset" or "modem": more sections than hold "modem" alone.
    let modem = both(&index, &corpus, &["modem"], &ranking);
    assert!(
        merged[0].1.total > modem[0].1.total + 100,
        "{} sections",
        merged[0].1.total
    );
    assert_same(&merged);

    // An incremental run: new segments, and the edited files' old sections
    // deleted in the first one.
    for a in (0..200).step_by(7) {
        std::fs::write(corpus.join(format!("a{a}.md")), article(a, &mut rng, 1)).unwrap();
    }
    build(&corpus, &index);
    let segments = open_index(&index)
        .unwrap()
        .index
        .searchable_segment_metas()
        .unwrap();
    assert!(segments.len() > 1, "the edit should add a segment");
    assert!(
        segments.iter().any(|m| m.num_deleted_docs() > 0),
        "and delete sections"
    );
    assert_same(&both(&index, &corpus, QUERIES, &ranking));
    // Every text its own candidate (no folding of copies).
    let flat = Ranking {
        collapse: false,
        ..ranking
    };
    assert_same(&both(&index, &corpus, QUERIES, &flat));
}
