//! cpm (being written)
