"""Progress: lessons opened and completed, each learner's module totals."""
