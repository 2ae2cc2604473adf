//! Link options for the `atrium` executable (not its tests or other crates).
//!
//! On Linux with glibc the binary is linked as a position-dependent executable: a PIE of this
//! size carries hundreds of thousands of relative relocations that the dynamic loader applies
//! on every start, touching every page of data that holds a pointer. That start-up cost
//! dominated short commands such as `atrium schedule FILE.xml`. Address-space randomisation
//! of shared libraries, the stack and the heap is unaffected; only the executable's own image
//! loads at its fixed address.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=ATRIUM_LINK_PIE");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    // ATRIUM_LINK_PIE=1 keeps the toolchain's default (a PIE), e.g. to compare.
    let keep_pie = std::env::var_os("ATRIUM_LINK_PIE").is_some_and(|v| v == "1");
    if os == "linux" && env == "gnu" && !keep_pie {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
