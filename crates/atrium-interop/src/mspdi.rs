//! mspdi (being written)
