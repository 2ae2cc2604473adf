//! Server-rendered SVG Gantt chart.
