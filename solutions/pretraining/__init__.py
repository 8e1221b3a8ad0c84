"""Reference solution of the pretraining assignment (instructors only; never shipped to students)."""
