"""The concept quiz: question bank, safe arithmetic for parameterised questions, grading, export."""
