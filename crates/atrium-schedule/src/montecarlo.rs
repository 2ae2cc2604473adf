//! montecarlo (being written)
