//! Portfolio selection engine: choose the proposals and projects that maximize value under budget, capacity and dependency constraints (pure, deterministic).
