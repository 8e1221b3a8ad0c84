"""Grading a whole class: one sandboxed run per submission, resumable, results written atomically.

The pipeline, one module per stage (each imports only the stages below it; see ARCHITECTURE.md):

- :mod:`grader.batch.intake`: finding a class's submissions and reading them safely (no link followed, no
  special file opened, zips checked entry by entry), as a private copy or as data (:class:`Packed`);
- :mod:`grader.batch.output`: the output folder: atomic writes and the records stored in it;
- :mod:`grader.batch.worker`: one packed submission in, one record out, never raises;
- :mod:`grader.batch.render`: the per-student files, the gradebook, the summary, the plots and the similarity
  report, rendered from the stored records (``grade batch`` and ``grade report`` share it);
- :mod:`grader.batch.local` and :mod:`grader.batch.cluster`: the executors (threads of this process, a Ray
  cluster), with one signature; neither imports the other;
- :mod:`grader.batch.driver`: plan (shards, ``--only``, what is unchanged), run, merge.

This module is the face the CLI and users import: the names below.
"""

from __future__ import annotations

from grader.batch.driver import EXECUTORS, BatchReport, in_shard, merge, parse_shard, run, write_gradebook
from grader.batch.intake import BatchError, NotASubmission, Packed, Submission, discover, result_stem, scan
from grader.batch.output import results_in, write_atomic
from grader.batch.render import render_output, update_similarity

__all__ = ["EXECUTORS", "BatchError", "BatchReport", "NotASubmission", "Packed", "Submission", "discover", "in_shard",
           "merge", "parse_shard", "render_output", "result_stem", "results_in", "run", "scan", "update_similarity",
           "write_atomic", "write_gradebook"]
