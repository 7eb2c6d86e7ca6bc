"""Benchmarks of the GUI that print figures: ``views`` (frames a second of the contour
and 3D views) and ``interactive`` (latency of a drag and a slider sweep in the window,
run as ``python -m lrsim.bench interactive``). Not imported by the app."""
