//! The tantivy schema of the section index and the conversion of a
//! [`Section`] into a tantivy document and back.

use crate::ingest::sections::Section;
use crate::text::analyzer;
use crate::text::fingerprint;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::{TantivyDocument, Term};

/// Bumped whenever the schema or the analysis changes; an index of another
/// version is rebuilt, never misread.
pub const SCHEMA_VERSION: u32 = 15;

/// Handles to the fields of the section index.
#[derive(Clone, Debug)]
pub struct Fields {
    /// `path#anchor`, exact, and a fast column: the ids of a hit's copies
    /// (`also_in`) are read from it, not from the stored documents.
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
    /// SimHash of the section text, to tell near-duplicates.
    pub simhash: Field,
    /// The text's family (`fingerprint::family`): copies of a text, and of
    /// a templated text with other names in it, share it. Indexed, so that
    /// every copy of a hit's text is one term lookup.
    pub family: Field,
    /// Hash of the path: groups the sections of one article (also indexed,
    /// to find an article's sections).
    pub article: Field,
    /// Position of the section in its article (0 = the first, its lead).
    pub order: Field,
    /// Hash of the id: breaks score ties the same way in every build.
    pub key: Field,
    /// Language code, exact, for `--lang` and counts.
    pub lang: Field,
    /// Language code packed into a number ([`pack_lang`]), for ranking.
    pub lang_id: Field,
    /// The whole [`Section`] as JSON, for output.
    pub doc: Field,
    /// The section's sentence vector (`index --semantic`), quantised.
    pub vector: Field,
    /// Hash of the text the vector was made from, to reuse it.
    pub vector_key: Field,
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
        id: b.add_text_field("id", STRING | FAST),
        path: b.add_text_field("path", STRING),
        title: b.add_text_field("title", positions.clone()),
        heading: b.add_text_field("heading", positions.clone()),
        text: b.add_text_field("text", positions),
        tags: b.add_text_field("tags", freqs),
        facet: b.add_text_field("facet", STRING),
        simhash: b.add_u64_field("simhash", FAST),
        family: b.add_u64_field("family", FAST | INDEXED),
        article: b.add_u64_field("article", FAST | INDEXED),
        order: b.add_u64_field("order", FAST),
        key: b.add_u64_field("key", FAST),
        lang: b.add_text_field("lang", STRING),
        lang_id: b.add_u64_field("lang_id", FAST),
        doc: b.add_text_field("doc", STORED),
        vector: b.add_bytes_field("vector", FAST),
        vector_key: b.add_u64_field("vector_key", INDEXED),
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
            family: f("family")?,
            article: f("article")?,
            order: f("order")?,
            key: f("key")?,
            lang: f("lang")?,
            lang_id: f("lang_id")?,
            doc: f("doc")?,
            vector: f("vector")?,
            vector_key: f("vector_key")?,
        })
    }

    /// The tantivy document for a section, the `order`-th of its article,
    /// with its sentence vector when the index has them. Its analysed fields
    /// are tagged with the section's language, so each is stemmed in it.
    pub fn to_document(&self, s: &Section, order: usize, vector: Option<&Vector>) -> TantivyDocument {
        let mut d = TantivyDocument::default();
        let tagged = |text: &str| analyzer::tag(&s.lang, text);
        d.add_text(self.id, &s.id);
        d.add_text(self.path, &s.path);
        d.add_text(self.title, tagged(&s.title));
        for alias in &s.aliases {
            d.add_text(self.title, tagged(alias));
        }
        d.add_text(self.heading, tagged(&s.heading));
        d.add_text(self.text, tagged(&s.text));
        for t in &s.tags {
            d.add_text(self.tags, tagged(t));
            d.add_text(self.facet, format!("t:{}", facet_key(t)));
        }
        for c in &s.categories {
            d.add_text(self.tags, tagged(c));
            d.add_text(self.facet, format!("c:{}", facet_key(c)));
        }
        d.add_text(self.lang, &s.lang);
        d.add_u64(self.lang_id, pack_lang(&s.lang));
        let sim = fingerprint::simhash(&s.text);
        d.add_u64(self.simhash, sim);
        d.add_u64(self.family, fingerprint::family(&s.text, sim));
        d.add_u64(self.article, fingerprint::hash_str(&s.path));
        d.add_u64(self.order, order as u64);
        d.add_u64(self.key, fingerprint::hash_str(&s.id));
        d.add_text(self.doc, serde_json::to_string(s).unwrap_or_default());
        if let Some(v) = vector {
            d.add_bytes(self.vector, &v.bytes);
            d.add_u64(self.vector_key, v.key);
        }
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

/// A section's stored sentence vector and the hash of the text it was made from.
#[derive(Debug, Clone)]
pub struct Vector {
    /// The vector, quantised (`text::encoder::quantize`).
    pub bytes: Vec<u8>,
    /// Hash of the embedded text (see `index::vectors`).
    pub key: u64,
}

/// A language code (at most eight bytes) as a number, and back with
/// [`unpack_lang`].
pub fn pack_lang(code: &str) -> u64 {
    let mut b = [0u8; 8];
    for (i, c) in code.bytes().take(8).enumerate() {
        b[i] = c;
    }
    u64::from_le_bytes(b)
}

/// The code packed by [`pack_lang`].
pub fn unpack_lang(id: u64) -> String {
    let b = id.to_le_bytes();
    b.iter().take_while(|c| **c != 0).map(|c| *c as char).collect()
}

/// Normalised form of a tag or category for exact filtering.
pub fn facet_key(tag: &str) -> String {
    tag.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_codes_pack_and_unpack() {
        for code in ["en", "de", "zh", "vie", "abcdefgh"] {
            assert_eq!(unpack_lang(pack_lang(code)), code);
        }
        assert_ne!(pack_lang("en"), pack_lang("de"));
        assert_eq!(unpack_lang(pack_lang("abcdefghij")), "abcdefgh");
    }
}
