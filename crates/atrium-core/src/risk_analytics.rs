//! Risk analytics: pure aggregation of risk registers (see the module body).
