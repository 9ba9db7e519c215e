"""Optimizer passes; see issue 3."""
