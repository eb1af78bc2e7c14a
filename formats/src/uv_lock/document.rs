//! (to_document, being written)
