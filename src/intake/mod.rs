//! Sources that are not feeds: list pages (`kind = "page"`) and
//! newsletter mailboxes (`kind = "mailbox"`).
