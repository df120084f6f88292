"""Native API v1 routes, one module per concept."""
