"""A second device on a CPU-only machine (grader.sandbox.elsewhere): what fails on a GPU fails here, and only that.

Each row is a line a student writes, with what CUDA does with it when the inputs live on the GPU: raise (the
tensor made without ``device=`` meets them) or run. The rules were checked against CUDA's behaviour as PyTorch
documents it (0-dim CPU tensors and CPU indices are allowed with CUDA tensors; ``.to()``, ``copy_`` and ``x[i] = v``
move data); no GPU ran these rows here.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from conftest import SOLUTIONS
from corpus import build, variants

from grader import api
from grader.messages import render
from grader.results import Message, Status
from grader.sandbox.elsewhere import DeviceMismatch, Elsewhere, moved, on_default, placed, returned

FAILS_ON_A_GPU = {
    "ones_added": lambda x, w: x + torch.ones(3, 3),
    "mask_from_tril_of_ones": lambda x, w: x.masked_fill(torch.tril(torch.ones(3, 3)) == 0, -1e9),
    "in_place_tril_of_ones": lambda x, w: x.masked_fill(torch.ones(3, 3).tril_() == 0, 0),
    "concatenated_with_zeros": lambda x, w: torch.cat([x, torch.zeros(2, 3, 3)]),
    "matmul_with_ones": lambda x, w: x @ torch.ones(3, 3),
    "moved_to_cpu_then_mixed": lambda x, w: x + x.cpu(),
    "from_numpy_mixed": lambda x, w: x + torch.from_numpy(np.ones((3, 3), dtype=np.float32)),
    "legacy_constructor_mixed": lambda x, w: x + torch.Tensor([1.0, 2.0, 3.0]),
    "embedding_with_cpu_ids": lambda x, w: F.embedding(torch.tensor([[1, 2]]), w),
    "cpu_tensor_with_gpu_scalar_in_place": lambda x, w: torch.ones(3).add_(x.sum()),
    "numpy_of_an_input": lambda x, w: x.numpy(),
    "returns_a_factory": lambda x, w: torch.ones(3),
    "returns_a_mask_from_numpy": lambda x, w: torch.from_numpy(np.tril(np.ones((3, 3)))) == 0,
}

RUNS_ON_A_GPU = {
    "cpu_scalar_tensor": lambda x, w: x * torch.tensor(2.0),
    "sqrt_of_a_scalar_tensor": lambda x, w: x / torch.sqrt(torch.tensor(3.0)),
    "factory_with_device": lambda x, w: x + torch.ones(3, 3, device=x.device),
    "moved_with_to_device": lambda x, w: x.masked_fill(torch.tril(torch.ones(3, 3)).bool().to(x.device) == 0, -1e9),
    "moved_with_to_tensor": lambda x, w: x + torch.arange(3).to(x),
    "moved_with_type_as": lambda x, w: x + torch.arange(3).type_as(x),
    "round_trip_through_numpy": lambda x, w: x + torch.from_numpy(x.detach().cpu().numpy()).to(x.device),
    "where_with_a_scalar_tensor": lambda x, w: torch.where(x > 0, x, torch.tensor(0.0)),
    "like_factories": lambda x, w: x + torch.ones_like(x) + x.new_ones(3, 3),
    "cpu_indices": lambda x, w: x[torch.arange(2)],
    "cpu_bool_mask_index": lambda x, w: x[torch.ones(2, 3, 3, dtype=torch.bool)],
    "assign_through_a_cpu_mask": lambda x, w: x.__setitem__(torch.ones(2, 3, 3, dtype=torch.bool), 0.0),
    "assign_a_cpu_value": lambda x, w: x.__setitem__((0,), torch.ones(3, 3)),
    "data_views_splits_reductions": lambda x, w: torch.cat(x.data.split(1, dim=0)).max(dim=-1).values,
    "torch_internals": lambda x, w: F.scaled_dot_product_attention(x, x, x),
    "embedding_with_ids_on_device": lambda x, w: F.embedding(torch.tensor([[1, 2]], device=x.device), w),
}


def _run(line):
    x, w = torch.randn(2, 3, 3), torch.randn(5, 3)
    placed([x, w])
    with Elsewhere():
        out = line(x, w)
    returned(out)
    assert not on_default(x), "the input itself must stay on its device"


@pytest.mark.parametrize("line", FAILS_ON_A_GPU.values(), ids=FAILS_ON_A_GPU.keys())
def test_what_fails_on_a_gpu_fails_here(line):
    with pytest.raises(DeviceMismatch):
        _run(line)


@pytest.mark.parametrize("line", RUNS_ON_A_GPU.values(), ids=RUNS_ON_A_GPU.keys())
def test_what_runs_on_a_gpu_runs_here(line):
    _run(line)


class _Positions(torch.nn.Module):
    def __init__(self, registered: bool) -> None:
        super().__init__()
        self.proj = torch.nn.Linear(3, 3)
        self.scale = torch.nn.Parameter(torch.ones(3))
        if registered:
            self.register_buffer("table", torch.zeros(3, 3))
        else:
            self.table = torch.zeros(3, 3)  # a plain attribute: module.to(device) leaves it behind

    def forward(self, x):
        return self.proj(x) * self.scale + self.table


@pytest.mark.parametrize("registered", [True, False])
def test_a_module_moves_its_parameters_and_buffers_but_not_a_plain_tensor_attribute(registered):
    with Elsewhere():
        module = _Positions(registered)
    moved(module)
    x = torch.randn(2, 3, 3)
    placed([x])
    with Elsewhere():
        if registered:
            module(x)
        else:
            with pytest.raises(DeviceMismatch, match=r"add: a tensor of shape \[3, 3\]"):
                module(x)


DEVICE_MUTANTS = [v for v in variants("mutants") if "default_device" in (v.diagnosis or "")]


@pytest.mark.parametrize("variant", DEVICE_MUTANTS, ids=[v.name for v in DEVICE_MUTANTS])
def test_a_tensor_on_the_default_device_fails_the_visible_case_and_is_named(variant, reference, tmp_path):
    result = api.check(build(variant, tmp_path / "sub"), assignment="transformer", reference=reference,
                       exercises=[variant.exercise])
    own = result.exercises[0]
    failed = [c for c in own.cases if c.status is not Status.PASSED]
    assert [c.id.startswith("other_device") for c in failed] == [True] * len(failed) and failed
    assert not failed[0].hidden and failed[0].failure.name == "device"
    assert variant.diagnosis in {d.id for d in own.diagnoses}
    diagnosis = next(d for d in own.diagnoses if d.id == variant.diagnosis)
    for lang in ("en", "ko"):
        shown = render(failed[0].failure.message, lang)
        assert str(failed[0].failure.message.params["made"]) in shown and "{" not in shown
        assert "device=" in render(Message(f"diagnosis.{diagnosis.id}", diagnosis.params), lang)
    assert 0 < own.score < own.max_score  # a gate: it takes its share, the values still earn theirs
    # where to look is the student's own line, not the grader's exception in English under a Korean heading
    # (a result left on the default device raises nothing in the student's code: no frame to show then)
    trace = failed[0].failure.traceback
    assert "DeviceMismatch" not in trace and "grader" not in trace, trace
    assert trace.startswith("  File ") or failed[0].failure.message.key == "check.device_returned", trace


def test_the_solutions_pass_every_case_elsewhere(reference):
    result = api.check(SOLUTIONS, reference=reference)
    cases = [c for e in result.exercises for c in e.cases if c.id.startswith("other_device")]
    assert len(cases) >= 10 and all(c.status is Status.PASSED for c in cases)
