//! rcpsp (being written)
