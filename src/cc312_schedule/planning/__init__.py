"""Layer 1, the rules: the pure planner (``engine``), capacity and balancing, the next free
slot, and the one place that reads the clock (``clock``). Imports only ``core``.
"""
