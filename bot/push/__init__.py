"""The daily push: when each subscriber is due, and delivering briefs exactly once."""
