//! Server-rendered SVG heat map of capacity against demand (see the module body).
