//! Atrium's scheduling engines: working calendars, the critical path method, baselines and
//! earned value, resource-constrained scheduling (leveling) and Monte Carlo schedule risk.
//!
//! Pure: no I/O, no async, no clock (the status date is an argument), no serde, and
//! deterministic (random engines take a seed). Engines never fail on a bad plan; they return
//! their result together with diagnostics.

pub mod baseline;
pub mod calendar;
pub mod cpm;
pub mod evm;
pub mod level;
pub mod montecarlo;
pub mod rcpsp;
