//! atrium binary
fn main() {}
