"""Return Desk's Qt layer: windows, widgets, item models, the scan field. Thin: the core does the work."""
