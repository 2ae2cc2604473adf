//! report_level (being written)
