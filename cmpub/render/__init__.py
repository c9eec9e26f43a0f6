"""Rendering (layer L2): pure functions from checked posts to the exact text and images sent."""
