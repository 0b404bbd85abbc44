//! Bytes → article drafts. Pure functions: decoding and repairing feed
//! bytes, parsing feeds, turning HTML into plain text, canonicalising URLs
//! and computing the keys and hashes used for deduplication. Nothing in
//! here does I/O.

pub mod article;
pub mod draft;
pub mod encoding;
pub mod feed;
pub mod html;
pub mod repair;
pub mod rules;
pub mod sanitize;
pub mod urlnorm;

pub use draft::{ArticleDraft, drafts_from_feed};
