"""Reference solution of the transformer assignment (instructors only; never shipped to students)."""
