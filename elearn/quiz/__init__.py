"""The quiz engine: attempts with a fixed shuffled layout, answers saved as the learner goes, graded once."""
