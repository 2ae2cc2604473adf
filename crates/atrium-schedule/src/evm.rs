//! evm (being written)
