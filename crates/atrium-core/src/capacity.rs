//! Capacity against demand: pure bucketed arithmetic over the resource pool (see the module body).
