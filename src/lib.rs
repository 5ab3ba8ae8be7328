//! fixdex: an offline, section-level help index.
//!
//! The pipeline, one module per stage:
//! file → [`article`] (bytes, [`front_matter`], cleaned [`markup`]) →
//! [`sections`] → [`schema`] documents written by [`indexer`];
//! query → [`analysis`] and [`synonyms`] → ranked sections from [`search`] →
//! [`output`] for people and scripts; [`eval`] measures answer quality.

pub mod analysis;
pub mod article;
pub mod cli;
pub mod collect;
pub mod dedup;
pub mod eval;
pub mod front_matter;
pub mod indexer;
pub mod manifest;
pub mod markup;
pub mod output;
pub mod schema;
pub mod search;
pub mod sections;
pub mod synonyms;
pub mod walk;
