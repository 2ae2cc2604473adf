//! The demo organization (being written).
