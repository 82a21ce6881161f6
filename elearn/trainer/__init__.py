"""Trainers: groups, assignments, reports and item analysis."""
