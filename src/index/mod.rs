//! The tantivy search index: derived from the store, rebuildable at any
//! time. Only this module speaks tantivy.
//!
//! This module owns the schema and resolves field handles once. Documents
//! carry a stored, indexed `id` (the store's article id); an update is
//! "delete the id term, add the document". Text is analysed with the Dutch
//! analyzer of [`crate::text`] at index time and (in query mode) at query
//! time. Article text is not stored here: snippets are cut from the store's
//! text, which keeps the index small. Sector, region (province, lower case
//! with hyphens), theme ids and source id are untokenised fields, so
//! `sector:vvt region:noord-brabant theme:zij_instroom` work in queries.

use std::path::Path;

use std::cmp::Ordering;
use tantivy::collector::TopDocs;
use tantivy::query::{Query, QueryParser};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{TextAnalyzer, TokenizerManager};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Term, doc};

use crate::store::Article;
use crate::text::{ANALYZER, DutchTokenizer, Mode};

/// An index error with context.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// Tantivy failed.
    #[error("search index: {context}: {source}")]
    Tantivy {
        /// What we were doing.
        context: String,
        /// The tantivy error.
        source: tantivy::TantivyError,
    },
    /// Another process holds the index writer.
    #[error("search index at {0} is locked by another radar process (index_locked)")]
    Locked(String),
    /// The index was opened read-only.
    #[error("search index was opened read-only")]
    ReadOnly,
}

type Result<T> = std::result::Result<T, IndexError>;

fn ctx<T>(r: tantivy::Result<T>, what: &str) -> Result<T> {
    r.map_err(|source| IndexError::Tantivy {
        context: what.to_string(),
        source,
    })
}

/// Field handles, resolved once.
#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    title: Field,
    summary: Field,
    body: Field,
    source: Field,
    sector: Field,
    region: Field,
    theme: Field,
    score: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        id: b.add_u64_field("id", INDEXED | STORED | FAST),
        title: b.add_text_field("title", text.clone()),
        summary: b.add_text_field("summary", text.clone()),
        body: b.add_text_field("body", text),
        source: b.add_text_field("source", STRING),
        sector: b.add_text_field("sector", STRING),
        region: b.add_text_field("region", STRING),
        theme: b.add_text_field("theme", STRING),
        score: b.add_f64_field("score", FAST),
    };
    (b.build(), fields)
}

/// One search hit: the article id and its relevance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    /// Store id of the article.
    pub id: i64,
    /// BM25 relevance.
    pub score: f32,
}

/// How many documents match a query: exact, or more than `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Total {
    /// Matches counted.
    pub count: usize,
    /// Whether that is all of them (else there are more).
    pub exact: bool,
}

impl std::fmt::Display for Total {
    /// Dutch, for the advisors: `12` or `meer dan 1000`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.exact {
            write!(f, "{}", self.count)
        } else {
            write!(f, "meer dan {}", self.count)
        }
    }
}

/// A highlighted excerpt: plain text plus byte ranges of the matches.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Snippet {
    /// Plain-text excerpt.
    pub text: String,
    /// Byte ranges in `text` that matched the query.
    pub highlights: Vec<(usize, usize)>,
}

impl Snippet {
    /// The excerpt with matches wrapped in `open`/`close` (e.g. ANSI bold).
    pub fn marked(&self, open: &str, close: &str) -> String {
        let mut out = String::with_capacity(self.text.len() + 16);
        let mut last = 0;
        for &(a, b) in &self.highlights {
            out.push_str(&self.text[last..a]);
            out.push_str(open);
            out.push_str(&self.text[a..b]);
            out.push_str(close);
            last = b;
        }
        out.push_str(&self.text[last..]);
        out
    }
}

/// Cuts snippets for one query (see [`SearchIndex::snippets`]).
///
/// The same fragments as tantivy's `SnippetGenerator` (its algorithm,
/// kept in step by a test): the text is cut into fragments of at most
/// `max_chars` bytes at token boundaries, each scored by the sum of
/// `1 / (1 + document frequency)` of the query terms in it; the best
/// fragment wins, the earliest on a tie. Unlike the generator it walks the
/// analyzer's remembered tokens instead of building a token stream, and
/// looks terms up without lower-casing a copy of every token (the
/// analyzer's terms are lower case already).
pub struct Snippets {
    terms: rustc_hash::FxHashMap<String, f32>,
    max_chars: usize,
}

struct Fragment {
    score: f32,
    start: usize,
    stop: usize,
    highlighted: Vec<(usize, usize)>,
}

impl Fragment {
    fn new(start: usize) -> Fragment {
        Fragment {
            score: 0.0,
            start,
            stop: start,
            highlighted: Vec::new(),
        }
    }
}

impl Snippets {
    /// A snippet of `text` around the query's matches, or the start of
    /// the text when nothing in it matches (then `highlights` is empty).
    pub fn cut(&self, text: &str) -> Snippet {
        if self.terms.is_empty() {
            return lead(text, self.max_chars);
        }
        let mut fragments = Vec::new();
        let mut current = Fragment::new(0);
        crate::text::for_each_term(text, Mode::Index, |term, from, to| {
            if to - current.start > self.max_chars {
                let next = Fragment::new(from);
                let done = std::mem::replace(&mut current, next);
                if done.score > 0.0 {
                    fragments.push(done);
                }
            }
            current.stop = to;
            if let Some(&score) = self.terms.get(term) {
                current.score += score;
                current.highlighted.push((from, to));
            }
        });
        if current.score > 0.0 {
            fragments.push(current);
        }
        let best = fragments.iter().max_by(|l, r| {
            match l.score.partial_cmp(&r.score).unwrap_or(Ordering::Equal) {
                Ordering::Equal => (r.start, r.stop).cmp(&(l.start, l.stop)),
                other => other,
            }
        });
        let Some(f) = best else {
            return lead(text, self.max_chars);
        };
        Snippet {
            text: text[f.start..f.stop].replace('\n', " "),
            highlights: f
                .highlighted
                .iter()
                .map(|&(a, b)| (a - f.start, b - f.start))
                .collect(),
        }
    }
}

/// A parsed query, reusable for searching and snippets.
pub struct ParsedQuery {
    query: Box<dyn Query>,
}

/// The search index.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Option<IndexWriter>,
    fields: Fields,
    parser: QueryParser,
}

impl SearchIndex {
    /// Opens or creates the index in `dir`. With `writable`, takes the one
    /// writer lock; a second writing process gets [`IndexError::Locked`].
    pub fn open(dir: &Path, writable: bool, writer_memory_mb: usize) -> Result<SearchIndex> {
        Self::open_with_threads(dir, writable, writer_memory_mb, 1)
    }

    /// [`SearchIndex::open`] with `threads` indexing threads (benchmarks;
    /// radar itself indexes in small batches on one thread).
    pub fn open_with_threads(
        dir: &Path,
        writable: bool,
        writer_memory_mb: usize,
        threads: usize,
    ) -> Result<SearchIndex> {
        std::fs::create_dir_all(dir).map_err(|e| IndexError::Tantivy {
            context: format!("creating {}", dir.display()),
            source: e.into(),
        })?;
        let (schema, fields) = schema();
        let mmap = ctx(
            tantivy::directory::MmapDirectory::open(dir).map_err(tantivy::TantivyError::from),
            "opening index directory",
        )?;
        let index = ctx(Index::open_or_create(mmap, schema.clone()), "opening index")?;
        index.tokenizers().register(
            ANALYZER,
            TextAnalyzer::from(DutchTokenizer::new(Mode::Index)),
        );
        let writer = if writable {
            match index.writer_with_num_threads(threads.max(1), writer_memory_mb * 1024 * 1024) {
                Ok(w) => Some(w),
                Err(tantivy::TantivyError::LockFailure(..)) => {
                    return Err(IndexError::Locked(dir.display().to_string()));
                }
                Err(e) => return ctx(Err(e), "opening index writer"),
            }
        } else {
            None
        };
        let reader = ctx(
            index
                .reader_builder()
                .reload_policy(ReloadPolicy::Manual)
                .try_into(),
            "opening index reader",
        )?;
        let query_tokenizers = TokenizerManager::default();
        query_tokenizers.register(
            ANALYZER,
            TextAnalyzer::from(DutchTokenizer::new(Mode::Query)),
        );
        let mut parser = QueryParser::new(
            schema,
            vec![fields.title, fields.summary, fields.body],
            query_tokenizers,
        );
        parser.set_conjunction_by_default();
        parser.set_field_boost(fields.title, 2.5);
        parser.set_field_boost(fields.summary, 1.5);
        Ok(SearchIndex {
            index,
            reader,
            writer,
            fields,
            parser,
        })
    }

    fn writer(&mut self) -> Result<&mut IndexWriter> {
        self.writer.as_mut().ok_or(IndexError::ReadOnly)
    }

    /// Adds or replaces articles (delete by id, then add). Not visible until
    /// [`SearchIndex::commit`].
    pub fn upsert(&mut self, articles: &[Article]) -> Result<()> {
        let f = self.fields;
        let w = self.writer()?;
        for a in articles {
            w.delete_term(Term::from_field_u64(f.id, a.id as u64));
            let mut d = doc!(
                f.id => a.id as u64,
                f.title => a.title.as_str(),
                f.summary => a.summary.as_deref().unwrap_or(""),
                f.body => a.text.as_str(),
                f.source => a.source_id.as_str(),
                f.score => a.score.unwrap_or(0.0) as f64,
            );
            if let Some(s) = &a.sector {
                d.add_text(f.sector, s);
            }
            if let Some(r) = &a.region {
                d.add_text(f.region, facet_value(r));
            }
            for t in &a.themes {
                d.add_text(f.theme, t);
            }
            ctx(w.add_document(d), "adding document")?;
        }
        Ok(())
    }

    /// Removes every document (before a rebuild).
    pub fn clear(&mut self) -> Result<()> {
        ctx(
            self.writer()?.delete_all_documents().map(|_| ()),
            "clearing index",
        )
    }

    /// Commits pending changes and makes them visible to searches.
    pub fn commit(&mut self) -> Result<()> {
        ctx(self.writer()?.commit().map(|_| ()), "committing")?;
        ctx(self.reader.reload(), "reloading reader")
    }

    /// Number of searchable documents.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Parses a user query leniently: syntax errors never fail a search,
    /// the parseable part is used.
    pub fn parse(&self, query: &str) -> ParsedQuery {
        let (query, _errors) = self.parser.parse_query_lenient(query);
        ParsedQuery { query }
    }

    /// The best `limit` hits after skipping `offset`.
    pub fn search(&self, q: &ParsedQuery, limit: usize, offset: usize) -> Result<Vec<Hit>> {
        let searcher = self.reader.searcher();
        let top = ctx(
            searcher.search(
                &q.query,
                &TopDocs::with_limit(limit.max(1)).and_offset(offset),
            ),
            "searching",
        )?;
        self.hits(&searcher, top)
    }

    /// Ids of `top` from the id fast field, not the doc store: no block
    /// decompression per hit.
    fn hits(
        &self,
        searcher: &tantivy::Searcher,
        top: Vec<(f32, tantivy::DocAddress)>,
    ) -> Result<Vec<Hit>> {
        let mut columns = Vec::with_capacity(searcher.segment_readers().len());
        for seg in searcher.segment_readers() {
            columns.push(ctx(seg.fast_fields().u64("id"), "reading id column")?);
        }
        Ok(top
            .into_iter()
            .filter_map(|(score, addr)| {
                let id = columns[addr.segment_ord as usize].first(addr.doc_id)?;
                Some(Hit {
                    id: id as i64,
                    score,
                })
            })
            .collect())
    }

    /// The best `limit` matches with their relevance, and how many there
    /// are (exact up to `limit`). The web search filters, counts facets and
    /// sorts this set; the top-k collector keeps its cost bounded.
    pub fn search_top(&self, q: &ParsedQuery, limit: usize) -> Result<(Vec<Hit>, Total)> {
        let total = self.count_upto(q, limit)?;
        if total.count == 0 {
            return Ok((Vec::new(), total));
        }
        let searcher = self.reader.searcher();
        let top = ctx(
            searcher.search(&q.query, &TopDocs::with_limit(limit.max(1))),
            "searching",
        )?;
        Ok((self.hits(&searcher, top)?, total))
    }

    /// Picks up commits made by other processes or index handles (the
    /// reader reloads only on demand).
    pub fn reload(&self) -> Result<()> {
        ctx(self.reader.reload(), "reloading reader")
    }

    /// The number of matching documents, counted exactly up to `cap`
    /// (then "more than"), the way mature engines bound counting: the
    /// work stays proportional to `cap` however broad the query and large
    /// the archive. Unscored: no frequencies or positions are read.
    pub fn count_upto(&self, q: &ParsedQuery, cap: usize) -> Result<Total> {
        use tantivy::DocSet as _;
        let searcher = self.reader.searcher();
        let weight = ctx(
            q.query
                .weight(tantivy::query::EnableScoring::disabled_from_searcher(
                    &searcher,
                )),
            "counting",
        )?;
        let mut count = 0;
        for seg in searcher.segment_readers() {
            let mut docs = ctx(weight.scorer(seg, 1.0), "counting")?;
            let alive = seg.alive_bitset();
            let mut doc = docs.doc();
            while doc != tantivy::TERMINATED {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    if count == cap {
                        return Ok(Total {
                            count,
                            exact: false,
                        });
                    }
                    count += 1;
                }
                doc = docs.advance();
            }
        }
        Ok(Total { count, exact: true })
    }

    /// Total number of matching documents.
    pub fn count(&self, q: &ParsedQuery) -> Result<usize> {
        ctx(
            self.reader
                .searcher()
                .search(&q.query, &tantivy::collector::Count),
            "counting",
        )
    }

    /// A snippet of `text` around the query's matches (falls back to the
    /// start of the text when nothing in it matches). For several texts
    /// of one query, [`SearchIndex::snippets`] prepares the work once.
    pub fn snippet(&self, q: &ParsedQuery, text: &str, max_chars: usize) -> Snippet {
        self.snippets(q, max_chars).cut(text)
    }

    /// A snippet cutter for `q`: looks up the query's terms and their
    /// document frequencies once, then cuts any number of texts.
    pub fn snippets(&self, q: &ParsedQuery, max_chars: usize) -> Snippets {
        let searcher = self.reader.searcher();
        let mut wanted = std::collections::BTreeSet::new();
        q.query.query_terms(&mut |term, _| {
            if term.field() == self.fields.body {
                wanted.insert(term.clone());
            }
        });
        let mut terms = rustc_hash::FxHashMap::default();
        for term in wanted {
            let Some(text) = term.value().as_str().map(str::to_string) else {
                continue;
            };
            let df = searcher.doc_freq(&term).unwrap_or(0);
            if df > 0 {
                terms.insert(text, 1.0 / (1.0 + df as f32));
            }
        }
        Snippets { terms, max_chars }
    }

    /// Whether the index directory holds a tantivy index at all.
    pub fn exists(dir: &Path) -> bool {
        Index::exists(&match tantivy::directory::MmapDirectory::open(dir) {
            Ok(d) => d,
            Err(_) => return false,
        })
        .unwrap_or(false)
    }

    /// The underlying tantivy index (benchmarks, tools).
    pub fn raw(&self) -> &Index {
        &self.index
    }
}

/// How a region is written in the index and in `region:` queries: lower
/// case with hyphens (`Noord-Brabant` → `noord-brabant`).
pub fn facet_value(label: &str) -> String {
    crate::text::normalize_word(&label.replace(' ', "-"))
}

/// The first `max_chars` characters of `text`, cut at a word boundary.
pub fn lead(text: &str, max_chars: usize) -> Snippet {
    let flat = text.replace('\n', " ");
    if flat.chars().count() <= max_chars {
        return Snippet {
            text: flat,
            highlights: vec![],
        };
    }
    let mut end = flat
        .char_indices()
        .nth(max_chars)
        .map(|(i, _)| i)
        .unwrap_or(flat.len());
    if let Some(space) = flat[..end].rfind(' ') {
        end = space;
    }
    Snippet {
        text: format!("{}…", &flat[..end]),
        highlights: vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::snippet::SnippetGenerator;

    fn article(id: i64, title: &str, text: &str) -> Article {
        let now = chrono::Utc::now();
        Article {
            id,
            source_id: "src".into(),
            source_name: "Bron".into(),
            key: format!("k{id}"),
            guid: None,
            url: None,
            canonical_url: None,
            title: title.into(),
            author: None,
            published: None,
            first_seen: now,
            updated_at: now,
            summary: None,
            text: text.into(),
            content_hash: String::new(),
            score: None,
            sector: None,
            region: None,
            themes: vec![],
            text_method: None,
            image_url: None,
            tip_from: None,
            tip_note: None,
        }
    }

    #[test]
    fn snippets_match_tantivys_snippet_generator() {
        let dir = tempfile::tempdir().unwrap();
        let mut idx = SearchIndex::open(dir.path(), true, 15).unwrap();
        let filler = "De gemeente overlegde lang over de begroting van volgend jaar. ";
        let texts = [
            format!(
                "{}Het ziekenhuis zoekt zij-instromers.\nZij-instromers krijgen een \
                 opleiding in de wijkverpleging. {}Ook het personeelstekort in \
                 ziekenhuizen daalt, zegt de cliëntenraad. {}",
                filler.repeat(3),
                filler.repeat(2),
                filler
            ),
            "Ziekenhuizen, ziekenhuis en ZIEKENHUIS; zzp'ers en cao's in de zorg.".into(),
            format!("{}Niets wat past.", filler.repeat(4)),
            "IJsselland: kijk naar Yvonne en de ijverige verpleegkundigen.".into(),
        ];
        let docs: Vec<Article> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| article(i as i64 + 1, "Titel", t))
            .collect();
        idx.upsert(&docs).unwrap();
        idx.commit().unwrap();
        let searcher = idx.reader.searcher();
        let mut highlighted = 0;
        for query in [
            "zij-instromers",
            "ziekenhuis personeelstekort",
            "tekort",
            "\"wijkverpleging\" opleiding",
            "cliëntenraad zorg zzp'ers cao",
            "verpleegkundige ijsselland kijken",
            "bestaatniet",
        ] {
            let q = idx.parse(query);
            for max in [60, 150, 240] {
                let ours = idx.snippets(&q, max);
                let mut theirs =
                    SnippetGenerator::create(&searcher, &*q.query, idx.fields.body).unwrap();
                theirs.set_max_num_chars(max);
                for text in &texts {
                    let a = ours.cut(text);
                    let b = theirs.snippet(text);
                    if b.is_empty() {
                        assert!(a.highlights.is_empty(), "{query:?} {max}: {a:?}");
                        assert_eq!(a.text, lead(text, max).text);
                        continue;
                    }
                    let highlights: Vec<(usize, usize)> =
                        b.highlighted().iter().map(|r| (r.start, r.end)).collect();
                    assert_eq!(a.text, b.fragment().replace('\n', " "), "{query:?} {max}");
                    assert_eq!(a.highlights, highlights, "{query:?} {max}");
                    highlighted += 1;
                }
            }
        }
        assert!(
            highlighted >= 20,
            "only {highlighted} snippets with matches"
        );
    }

    #[test]
    fn counts_are_exact_up_to_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let mut idx = SearchIndex::open(dir.path(), true, 15).unwrap();
        let docs: Vec<Article> = (1..=30)
            .map(|i| {
                let extra = if i % 3 == 0 { " wijkverpleging" } else { "" };
                article(i, "Titel", &format!("Zorg nummer {i}{extra}."))
            })
            .collect();
        idx.upsert(&docs).unwrap();
        idx.commit().unwrap();
        // A second segment with a deleted document.
        idx.upsert(&[article(3, "Titel", "Nu over iets anders.")])
            .unwrap();
        idx.commit().unwrap();
        let zorg = idx.parse("zorg");
        let all = idx.count(&zorg).unwrap();
        assert_eq!(all, 29, "article 3 no longer says zorg");
        let exact = idx.count_upto(&zorg, 100).unwrap();
        assert_eq!(
            exact,
            Total {
                count: 29,
                exact: true
            }
        );
        assert_eq!(exact.to_string(), "29");
        let capped = idx.count_upto(&zorg, 10).unwrap();
        assert_eq!(
            capped,
            Total {
                count: 10,
                exact: false
            }
        );
        assert_eq!(capped.to_string(), "meer dan 10");
        assert_eq!(
            idx.count_upto(&zorg, 29).unwrap(),
            Total {
                count: 29,
                exact: true
            }
        );
        assert_eq!(
            idx.count_upto(&zorg, 28).unwrap(),
            Total {
                count: 28,
                exact: false
            }
        );
        let both = idx.parse("zorg wijkverpleging");
        assert_eq!(
            idx.count_upto(&both, 1000).unwrap(),
            Total {
                count: 9,
                exact: true
            }
        );
    }
}
