//! The tantivy schema of the section index and the conversion of a
//! [`Section`] into a tantivy document and back.

use crate::ingest::sections::Section;
use crate::text::analyzer;
use crate::text::fingerprint;
use tantivy::schema::{
    FAST, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::{TantivyDocument, Term};

/// Bumped whenever the schema or the analysis changes; an index of another
/// version is rebuilt, never misread.
pub const SCHEMA_VERSION: u32 = 8;

/// Handles to the fields of the section index.
#[derive(Clone, Debug)]
pub struct Fields {
    /// `path#anchor`, exact.
    pub id: Field,
    /// Corpus-relative path, exact (for replacing a file's sections).
    pub path: Field,
    /// Article title, analysed with positions.
    pub title: Field,
    /// Section heading, analysed with positions.
    pub heading: Field,
    /// Section text, analysed with positions.
    pub text: Field,
    /// Tags, categories and keywords, analysed.
    pub tags: Field,
    /// Lower-cased tags and categories, exact, for filters.
    pub facet: Field,
    /// SimHash of the section text, for near-duplicate collapse.
    pub simhash: Field,
    /// Hash of the path: groups the sections of one article.
    pub article: Field,
    /// Hash of the id: breaks score ties the same way in every build.
    pub key: Field,
    /// The whole [`Section`] as JSON, for output.
    pub doc: Field,
}

/// Builds the schema and its field handles.
pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let positions = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analyzer::EN)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let freqs = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analyzer::EN)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        path: b.add_text_field("path", STRING),
        title: b.add_text_field("title", positions.clone()),
        heading: b.add_text_field("heading", positions.clone()),
        text: b.add_text_field("text", positions),
        tags: b.add_text_field("tags", freqs),
        facet: b.add_text_field("facet", STRING),
        simhash: b.add_u64_field("simhash", FAST),
        article: b.add_u64_field("article", FAST),
        key: b.add_u64_field("key", FAST),
        doc: b.add_text_field("doc", STORED),
    };
    (b.build(), fields)
}

impl Fields {
    /// Resolves the field handles of an existing schema.
    pub fn from_schema(schema: &Schema) -> tantivy::Result<Fields> {
        let f = |name: &str| schema.get_field(name);
        Ok(Fields {
            id: f("id")?,
            path: f("path")?,
            title: f("title")?,
            heading: f("heading")?,
            text: f("text")?,
            tags: f("tags")?,
            facet: f("facet")?,
            simhash: f("simhash")?,
            article: f("article")?,
            key: f("key")?,
            doc: f("doc")?,
        })
    }

    /// The tantivy document for a section.
    pub fn to_document(&self, s: &Section) -> TantivyDocument {
        let mut d = TantivyDocument::default();
        d.add_text(self.id, &s.id);
        d.add_text(self.path, &s.path);
        d.add_text(self.title, &s.title);
        for alias in &s.aliases {
            d.add_text(self.title, alias);
        }
        d.add_text(self.heading, &s.heading);
        d.add_text(self.text, &s.text);
        for t in &s.tags {
            d.add_text(self.tags, t);
            d.add_text(self.facet, format!("t:{}", facet_key(t)));
        }
        for c in &s.categories {
            d.add_text(self.tags, c);
            d.add_text(self.facet, format!("c:{}", facet_key(c)));
        }
        d.add_u64(self.simhash, fingerprint::simhash(&s.text));
        d.add_u64(self.article, fingerprint::hash_str(&s.path));
        d.add_u64(self.key, fingerprint::hash_str(&s.id));
        d.add_text(self.doc, serde_json::to_string(s).unwrap_or_default());
        d
    }

    /// Reads the section back from a stored document.
    pub fn section(&self, d: &TantivyDocument) -> Option<Section> {
        let json = d.get_first(self.doc)?.as_str()?;
        serde_json::from_str(json).ok()
    }

    /// The term matching every section of a file.
    pub fn path_term(&self, path: &str) -> Term {
        Term::from_field_text(self.path, path)
    }
}

/// Normalised form of a tag or category for exact filtering.
pub fn facet_key(tag: &str) -> String {
    tag.trim().to_lowercase()
}
