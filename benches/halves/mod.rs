//! A full build's two halves timed on their own: reading the files into
//! sections (on all cores, nothing indexed) and tantivy indexing sections
//! already in memory (documents made on all cores, then written with the
//! build's writer settings, committed and merged into one segment, as a
//! first build is). Each half is a floor for the whole build: however the
//! other half shrinks, the build cannot take less than either.

use anyhow::Result;
use fixdex::index::schema;
use fixdex::ingest::article::read_article;
use fixdex::ingest::sections::Section;
use rayon::prelude::*;
use std::path::Path;
use std::time::Instant;
use tantivy::{Index, TantivyDocument};

/// Median times in seconds.
pub struct Halves {
    /// Files read, cleaned and split into sections.
    pub parse: f64,
    /// The parsed sections indexed, committed and merged.
    pub index: f64,
    /// Of `index`, the merge into one segment.
    pub merge: f64,
}

/// The median of each half over `runs` runs on `corpus`, the index written
/// to `dir`, and the sections read, by article.
pub fn time(corpus: &Path, dir: &Path, runs: usize) -> Result<(Halves, Vec<Vec<Section>>)> {
    let files = fixdex::ingest::walk::corpus_files(corpus, false, |_| false)?.files;
    let (mut parse, mut index, mut merge) = (Vec::new(), Vec::new(), Vec::new());
    let mut articles = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        articles = (files.par_iter())
            .filter_map(|f| read_article(&f.abs, &f.rel).ok())
            .map(|a| a.sections)
            .collect::<Vec<_>>();
        parse.push(start.elapsed().as_secs_f64());
    }
    for _ in 0..runs {
        let (all, merged) = index_sections(&articles, dir)?;
        index.push(all);
        merge.push(merged);
    }
    let halves = Halves {
        parse: super::median(parse),
        index: super::median(index),
        merge: super::median(merge),
    };
    Ok((halves, articles))
}

/// Indexes each article's sections into a fresh index at `dir`: (seconds
/// in all, seconds of them merging).
fn index_sections(articles: &[Vec<Section>], dir: &Path) -> Result<(f64, f64)> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir)?;
    let start = Instant::now();
    let (schema, fields) = schema::build();
    let index = Index::create_in_dir(dir, schema)?;
    fixdex::text::analyzer::register(&index);
    let (threads, budget) = fixdex::index::indexer::writer_settings();
    let mut writer = index.writer_with_num_threads(threads, budget)?;
    let docs: Vec<TantivyDocument> = (articles.par_iter())
        .flat_map_iter(|sections| {
            let fields = &fields;
            sections
                .iter()
                .enumerate()
                .map(move |(order, s)| fields.to_document(s, order, None))
        })
        .collect();
    for d in docs {
        writer.add_document(d)?;
    }
    writer.commit()?;
    let merging = Instant::now();
    let ids = index.searchable_segment_ids()?;
    if ids.len() > 1 {
        writer.merge(&ids).wait()?;
    }
    writer.wait_merging_threads()?;
    Ok((start.elapsed().as_secs_f64(), merging.elapsed().as_secs_f64()))
}
