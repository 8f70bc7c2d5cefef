"""Grading: safe answer parsing, comparison modes, scoring with partial credit and mistake feedback."""
