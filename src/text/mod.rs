//! Text handling shared by the index and the query side: the analyzer
//! (words, contractions, stems, stop words), languages (detection, stemmer
//! and stop words per language), text fingerprints (SimHash, shingles) and
//! the words of a text matching a query (highlight). Depends on nothing
//! else in the crate.

pub mod analyzer;
mod bert;
pub mod encoder;
pub mod fingerprint;
pub mod highlight;
pub mod lang;
pub mod stem;
pub mod words;
