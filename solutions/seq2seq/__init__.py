"""Reference solution of the seq2seq assignment (instructors only; never shipped to students)."""
