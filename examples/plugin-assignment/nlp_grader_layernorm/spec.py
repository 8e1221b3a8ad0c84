"""The spec: one exercise, two cases (one visible, one hidden), one known mistake.

Everything is checked when this module is imported: a wrong field raises grader.spec.SpecError naming the
exercise, the case and the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from grader.cases import randn
from grader.spec import Assignment, Call, Case, CaseEnv, Driver, Exercise, In, Kind, Lit, Mistake
from nlp_grader_layernorm.messages import MESSAGES

HERE = Path(__file__).resolve().parent


def _inputs(*shape: int, dtype: torch.dtype = torch.float32) -> Any:
    def make(env: CaseEnv) -> dict[str, torch.Tensor]:
        return {"x": randn(env, *shape, scale=3.0, dtype=dtype) + 1.5}
    return make


def _unbiased(reference: Any) -> Any:
    """The mistake, as code: the variance divided by n - 1 (torch.var's default)."""
    def layer_norm(x: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
        return (x - x.mean(-1, keepdim=True)) / torch.sqrt(x.var(-1, keepdim=True) + eps)
    return layer_norm


LAYER_NORM = Exercise(
    id="layer_norm", file="norm.py", task=1, points=10, kind=Kind.FUNCTION,
    cases=(
        Case("small", Driver.CALL, _inputs(2, 3, 8), Call((In("x"), Lit(1e-5)))),
        Case("float64", Driver.CALL, _inputs(4, 16, dtype=torch.float64), Call((In("x"), Lit(1e-5))), hidden=True),
    ),
    mistakes=(Mistake("layernorm_unbiased_variance", _unbiased),),
)

ASSIGNMENT = Assignment(
    name="layernorm",
    title=MESSAGES["en"]["title"],
    exercises=(LAYER_NORM,),
    solutions=HERE / "solution",
    files=("norm.py",),
    stubs=HERE / "stubs",
    messages=MESSAGES,
    package=HERE,
)
