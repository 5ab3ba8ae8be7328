//! fixdex: an offline, section-level help index.
//!
//! The pipeline, one folder per stage, dependencies pointing one way
//! (`cli` → `eval` → `search` → `index` → `ingest` → `text`):
//!
//! - [`ingest`]: file → [`ingest::article::Article`] → [`ingest::sections::Section`]s;
//! - [`index`]: sections → a committed tantivy index with its manifest;
//! - [`search`]: query → plan → candidates → ranked → [`search::Answer`];
//! - [`text`]: what both sides share (the analyzer, text fingerprints);
//! - [`eval`]: answer quality on a file of known questions;
//! - [`cli`]: arguments, one module per command, text rendering.
//!
//! `ARCHITECTURE.md` at the repository root is the map.

pub mod cli;
pub mod eval;
pub mod index;
pub mod ingest;
pub mod search;
pub mod serve;
pub mod text;
