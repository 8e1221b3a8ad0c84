"""Reference solution of the training assignment (instructors only; never shipped to students)."""
