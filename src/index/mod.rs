//! Sections → a committed tantivy index: the [`schema`], the [`manifest`]
//! of what each corpus file looked like, and the [`indexer`] that writes one
//! commit per run.

pub mod indexer;
pub mod manifest;
pub mod schema;
