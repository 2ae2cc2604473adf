//! mspdi_engine (being written)
