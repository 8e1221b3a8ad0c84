"""The words that cross the sandbox boundary, as enums: what a child's record says, what an outcome is, what an
entry of a result holds. They are ``str`` enums, so the JSON on the wire stays plain text, and a value the child
sends that is not one of them is refused where it is read (grader.sandbox.transfer)."""

from __future__ import annotations

from enum import Enum

ELSEWHERE = "elsewhere"
"""A task's device: another one than the default (CUDA where a GPU is, else the CPU with the tensors made on the
default device tracked: grader.sandbox.elsewhere)."""


class RecordStatus(str, Enum):
    """A child's record: the case ran (``ok``) or the student's code failed (``error``, with a kind)."""

    OK = "ok"
    ERROR = "error"


class RecordKind(str, Enum):
    """Why an error record is an error."""

    MISSING_FILE = "missing_file"
    SYNTAX = "syntax"
    IMPORT = "import"
    MISSING_NAME = "missing_name"
    TOO_LARGE = "too_large"
    SIGNATURE = "signature"
    STATE_DICT = "state_dict"
    NOT_IMPLEMENTED = "not_implemented"
    MEMORY = "memory"
    EXCEPTION = "exception"
    DEVICE = "device"
    """A tensor made on the default device met the inputs on another (grader.sandbox.elsewhere)."""
    FORBIDDEN_CALL = "forbidden_call"
    TRANSFER = "transfer"


class OutcomeStatus(str, Enum):
    """What came back for one task, as the runner judges it."""

    OK = "ok"
    ERROR = "error"
    """The student's code raised or could not be loaded (the record's kind says how)."""
    TIMEOUT = "timeout"
    CRASHED = "crashed"
    """The child died without a record (a signal, the memory limit)."""
    TRANSFER = "transfer"
    """The result could not be read back (too large, malformed)."""


class EntryKind(str, Enum):
    """What one output of a case is."""

    TENSOR = "tensor"
    SEQUENCE = "sequence"
    VALUE = "value"
    NONE = "none"
    OBJECT = "object"
