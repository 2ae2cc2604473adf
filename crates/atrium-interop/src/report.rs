//! report (being written)
