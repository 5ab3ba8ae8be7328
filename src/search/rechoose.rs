//! Retrieval's last step: the copy that stands for each of the best texts,
//! chosen again with the synonyms (the collector chose it by the query's
//! own words alone).

use super::Engine;
use super::SearchOptions;
use super::clause::Clause;
use super::distinct::Distinct;
use anyhow::Result;
use tantivy::query::Query;
use tantivy::{DocAddress, Searcher};

/// The best texts whose standing copy is chosen again with the synonyms
/// (about a first page of hits: 3 already gives the same answers on the
/// dev sets as synonyms inside the search; each text costs a lookup).
const RECHOOSE: usize = 5;

/// Copies of one text scored at most when its standing copy is chosen
/// again: a guide re-published for 3,000 phones is one family, and scoring
/// every copy cost a sixth of a query on the 14k corpus; 32 and 100 gave
/// the same answers on the dev sets.
const RECHOOSE_COPIES: usize = 100;

impl Engine {
    /// For the [`RECHOOSE`] best texts, the copy that scores best with the
    /// synonyms stands for the text. The collector chose each text's copy
    /// by the words alone; copies differ in their title and heading, and
    /// an alternative there ("recovering" for "restore") can make another
    /// copy the better one, whose title then counts in coverage and the
    /// article step. The copies within the filters (at most
    /// [`RECHOOSE_COPIES`]) are scored with both queries, exactly as a
    /// search would.
    pub(super) fn rechoose(
        &self,
        searcher: &Searcher,
        opts: &SearchOptions,
        query: &dyn Query,
        syn: &Clause,
        top: &mut [Distinct],
    ) -> Result<()> {
        top.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.key.cmp(&b.key)));
        let mut groups: Vec<(usize, std::ops::Range<usize>)> = Vec::new();
        let mut all: Vec<DocAddress> = Vec::new();
        for (k, d) in top.iter().enumerate().take(RECHOOSE) {
            let copies = self.sections_with_texts(searcher, &[d.family], opts)?;
            if copies.len() < 2 {
                continue;
            }
            let copies = self.fewest_copies(searcher, copies.into_iter().collect(), d.addr);
            let from = all.len();
            all.extend(copies);
            groups.push((k, from..all.len()));
        }
        if groups.is_empty() {
            return Ok(());
        }
        // A copy scores at most what the standing one does on the words
        // (the collector kept the best), so only a copy scoring more on
        // the synonyms can win: the words are scored for those alone.
        let extra: Vec<f32> = (syn.scores(searcher, &all)?.into_iter())
            .map(|s| s.unwrap_or(0.0))
            .collect();
        let mut contenders: Vec<usize> = Vec::new();
        for (k, range) in &groups {
            let own = range.clone().find(|&i| all[i] == top[*k].addr);
            let floor = own.map_or(0.0, |i| extra[i]);
            contenders.extend(range.clone().filter(|&i| extra[i] > floor));
        }
        let picked: Vec<DocAddress> = contenders.iter().map(|&i| all[i]).collect();
        let base = self.query_scores(searcher, &picked, query)?;
        let keys = self.fast_u64(searcher, &picked, "key");
        for (k, range) in groups {
            let d = &mut top[k];
            let own = range.clone().find(|&i| all[i] == d.addr);
            let mut best = (d.score + own.map_or(0.0, |i| extra[i]), d.key, None);
            for (c, &i) in contenders.iter().enumerate().filter(|(_, i)| range.contains(i)) {
                let key = keys[c].unwrap_or(0);
                let total = base[c] + extra[i];
                if total > best.0 || (total == best.0 && key < best.1) {
                    best = (total, key, Some(c));
                }
            }
            if let (_, key, Some(c)) = best {
                (d.addr, d.score, d.key) = (picked[c], base[c], key);
            }
        }
        Ok(())
    }

    /// At most [`RECHOOSE_COPIES`] of a text's `copies`: the standing one
    /// and those with the smallest keys, so every build scores the same.
    fn fewest_copies(
        &self,
        searcher: &Searcher,
        copies: Vec<DocAddress>,
        standing: DocAddress,
    ) -> Vec<DocAddress> {
        if copies.len() <= RECHOOSE_COPIES {
            return copies;
        }
        let keys = self.fast_u64(searcher, &copies, "key");
        let mut keyed: Vec<(u64, DocAddress)> = (keys.into_iter().zip(copies))
            .filter(|&(_, a)| a != standing)
            .map(|(k, a)| (k.unwrap_or(0), a))
            .collect();
        keyed.sort_unstable();
        keyed.truncate(RECHOOSE_COPIES - 1);
        let mut out: Vec<DocAddress> = keyed.into_iter().map(|(_, a)| a).collect();
        out.push(standing);
        out
    }
}
