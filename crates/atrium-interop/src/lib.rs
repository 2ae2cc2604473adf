//! File formats Atrium reads and writes: MS Project XML (MSPDI), PSPLIB `.sm`, CSV/XLSX.
//! Bytes in, types out: no network, no database; hostile input is refused cleanly.

pub mod mspdi;
pub mod mspdi_engine;
pub mod mspdi_gen;
pub mod plan_io;
pub mod psplib;
pub mod report;
pub mod report_level;
pub mod report_mc;
pub mod xlsx;
