//! level (being written)
