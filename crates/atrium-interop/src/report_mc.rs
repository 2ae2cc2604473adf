//! report_mc (being written)
