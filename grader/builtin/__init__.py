"""The assignments that ship with the grader, each a plug-in package registered like any other (through the
``nlp_grader.assignments`` entry point group in pyproject.toml). The engine imports none of them by name."""
