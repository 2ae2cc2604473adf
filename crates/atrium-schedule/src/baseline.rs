//! baseline (being written)
