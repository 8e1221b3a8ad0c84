"""Counterfactual probes of the seq2seq assignment: a score or a decoder step recomputed in float64 from the case's
weights with one thing changed (another activation in the additive score, the attention's query or context taken
from the wrong states, the mask left out, the attentional state's parts in the other order or without tanh), and
the change reported whose output the student's equals.

This module computes like the reference, so it never ships in a student bundle: each probe is a
:class:`grader.diagnose.Counterfactual` whose candidates depend on the case alone (grader.fixtures stores them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import torch

from grader.diagnose import Candidates, Counterfactual, Finding, View


def _state(view: View) -> dict[str, torch.Tensor]:
    return {k.removeprefix("state."): v.double() for k, v in view.inputs.items() if k.startswith("state.")}


def _lin(st: Mapping[str, torch.Tensor], name: str, x: torch.Tensor) -> torch.Tensor:
    bias = st.get(f"{name}.bias")
    return torch.nn.functional.linear(x, st[f"{name}.weight"], bias)


def _additive(view: View) -> Candidates:
    if view.case.driver not in ("call", "grad") or "h" not in view.inputs or "s" not in view.inputs:
        return []
    st, h, s = _state(view), view.inputs["h"].double(), view.inputs["s"].double()

    def score(act: Callable[[torch.Tensor], torch.Tensor], swapped: bool = False) -> Callable[[], torch.Tensor]:
        w_h, w_s = ("W2", "W1") if swapped else ("W1", "W2")
        return lambda: _lin(st, "v", act(_lin(st, w_h, h).unsqueeze(1) + _lin(st, w_s, s))).squeeze(-1)

    candidates: list[tuple[Finding, Callable[[], torch.Tensor]]] = [
        (Finding("s2s_additive_activation", {"variant": name}), score(act))
        for name, act in (("none", lambda x: x), ("relu", torch.relu), ("sigmoid", torch.sigmoid))]
    candidates.append((Finding("s2s_additive_swapped"), score(torch.tanh, swapped=True)))
    return candidates


def _gru(st: Mapping[str, torch.Tensor], x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
    gi = torch.nn.functional.linear(x, st["cell.weight_ih"], st.get("cell.bias_ih"))
    gh = torch.nn.functional.linear(h, st["cell.weight_hh"], st.get("cell.bias_hh"))
    i_r, i_z, i_n = gi.chunk(3, -1)
    h_r, h_z, h_n = gh.chunk(3, -1)
    r, z = torch.sigmoid(i_r + h_r), torch.sigmoid(i_z + h_z)
    n = torch.tanh(i_n + r * h_n)
    return (1 - z) * n + z * h


def step(st: Mapping[str, torch.Tensor], tokens: torch.Tensor, state: torch.Tensor, enc: torch.Tensor,
         mask: torch.Tensor | None, *, query: str = "new", context: str = "weighted", order: str = "ch",
         tanh: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
    """One attentional decoder step in float64 from the weights ``st``, with knobs for the ways it goes wrong:
    (log-probabilities, weights)."""
    h = _gru(st, st["embedding.weight"][tokens], state)
    q = h if query == "new" else state
    scores = torch.einsum("bh,bsh->bs", q, _lin(st, "attention.W", enc))
    if mask is not None:
        scores = scores.masked_fill(~mask.bool(), float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    c = enc[:, -1] if context == "last" else torch.einsum("bs,bse->be", weights, enc)
    joined = torch.cat([c, h] if order == "ch" else [h, c], dim=-1)
    attentional = _lin(st, "W_c", joined)
    attentional = torch.tanh(attentional) if tanh else attentional
    return torch.log_softmax(_lin(st, "out", attentional), dim=-1), weights


def _step(view: View) -> Candidates:
    names = ("tokens", "hidden", "encoder_states")
    if view.case.driver not in ("call", "grad") or not all(n in view.inputs for n in names):
        return []
    st = _state(view)
    tokens, state, enc = view.inputs["tokens"], view.inputs["hidden"].double(), view.inputs["encoder_states"].double()
    passed = view.args.get("forward", [])
    mask = view.inputs.get("src_mask") if len(passed) > 3 and isinstance(passed[3], list) and passed[3][-1] else None

    def run(**kw: Any) -> Callable[[], torch.Tensor]:
        m = kw.pop("mask", mask)
        return lambda: step(st, tokens, state, enc, m, **kw)[0]

    candidates = [
        (Finding("s2s_query_previous_state"), run(query="previous")),
        (Finding("s2s_context_last_state"), run(context="last")),
        (Finding("s2s_attentional_order"), run(order="hc")),
        (Finding("s2s_attentional_no_tanh"), run(tanh=False)),
    ]
    if mask is not None:
        candidates.append((Finding("s2s_step_mask_ignored"), run(mask=None)))
    return candidates


ADDITIVE = Counterfactual(_additive)
"""The additive score: another activation (or none) between W1 h + W2 s and v; W1 and W2 swapped."""
STEP = Counterfactual(_step, key="out.0")
"""The decoder step's log-probabilities: the query, the context, the mask, the attentional state's order and tanh."""
