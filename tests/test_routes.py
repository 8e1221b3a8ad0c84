"""The transformer assignment forbids what computes attention, not a list of names (issue 22, point 3).

The set is built by walking the installed torch (grader.builtin.transformer.routes). These tests walk torch again,
by other means and more widely, and fail when a route is missing: a newer torch that adds one fails here first.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import torch

from grader.builtin.transformer import spec as transformer
from grader.builtin.transformer.routes import covers, forbidden_routes

ROOT = Path(__file__).resolve().parents[1]
ROUTES = forbidden_routes()

LOOKS_LIKE = re.compile(r"attn|attention|transformer|multi_?head|mha|sdp|flash_att|qkv|masked_softmax", re.I)
"""Wider than the set's own pattern on purpose: what it finds is either in the set or below, with a reason."""
NOT_ROUTES = {
    "torch.nn.functional._in_projection_packed": "the linear projections before attention, not attention",
}
"""Names that look like a route and are not one."""


def _walked() -> set[str]:
    found: set[str] = set()
    spaces = {"torch": torch, "torch.nn": torch.nn, "torch.nn.functional": torch.nn.functional,
              "torch._C._nn": torch._C._nn, "torch._C._VariableFunctions": torch._C._VariableFunctions,
              "torch.Tensor": torch.Tensor}
    for info in pkgutil.walk_packages(torch.nn.modules.__path__, "torch.nn.modules."):
        spaces[info.name] = importlib.import_module(info.name)
    for info in pkgutil.walk_packages(torch.nn.attention.__path__, "torch.nn.attention."):
        spaces[info.name] = importlib.import_module(info.name)
    for name, space in spaces.items():
        for attr in dir(space):
            value = getattr(space, attr, None)
            if LOOKS_LIKE.search(attr) and callable(value) and not attr.startswith("__"):
                found.add(f"{name}.{attr}")
    for op in torch._C._dispatch_get_all_op_names():  # every overload, by its full name
        namespace, _, rest = op.partition("::")
        if namespace == "aten" and LOOKS_LIKE.search(rest):
            found.add(f"torch.ops.aten.{rest.split('.')[0]}")
    return found


def test_every_route_the_installed_torch_offers_is_forbidden():
    missing = sorted(n for n in _walked() if n not in NOT_ROUTES and not covers(ROUTES, n))
    assert not missing, f"routes to attention this torch ({torch.__version__}) offers that the set misses: {missing}"


def test_the_set_holds_the_known_routes():
    """A walk that silently found nothing would pass the test above: the routes named in issue 22 are there."""
    for name in ("torch.nn.functional.scaled_dot_product_attention", "torch.nn.functional.multi_head_attention_forward",
                 "torch.nn.MultiheadAttention", "torch.nn.Transformer", "torch.nn.TransformerEncoderLayer",
                 "torch.nn.TransformerDecoderLayer", "torch.nn.TransformerEncoder", "torch.nn.TransformerDecoder",
                 "torch._C._nn.scaled_dot_product_attention", "torch._native_multi_head_attention",
                 "torch._transformer_encoder_layer_fwd", "torch._fused_sdp_choice",
                 "torch.ops.aten.scaled_dot_product_attention", "torch.ops.aten._scaled_dot_product_flash_attention",
                 "torch.nn.attention.*", "torch.nn.attention.flex_attention.flex_attention"):
        assert name in ROUTES, name
    for name in ("torch.nn.attention.flex_attention.create_block_mask", "torch.nn.attention.varlen.varlen_attn",
                 "torch.nn.attention.bias.causal_lower_right", "torch.nn.modules.activation.MultiheadAttention",
                 "torch.nn.modules.transformer._generate_square_subsequent_mask"):
        assert covers(ROUTES, name), name
    for name in ("torch.nn.functional.softmax", "torch.nn.Linear", "torch.tril", "torch.nn.LayerNorm",
                 "torch.nn.functional.dropout", "torch.ops.aten._softmax", "torch.nn.modules.activation.Softmax"):
        assert not covers(ROUTES, name), name
    assert len(ROUTES) >= 80


def test_the_exercises_that_attention_can_do_forbid_the_whole_set():
    forbidding = {e.id for e in transformer.ASSIGNMENT.exercises if e.forbidden}
    assert forbidding == {"masked_softmax", "scaled_dot_product_attention", "causal_mask", "MultiHeadAttention",
                          "EncoderLayer", "DecoderLayer"}
    assert all(e.forbidden == ROUTES for e in transformer.ASSIGNMENT.exercises if e.forbidden)


def _code_words(path: Path) -> set[str]:
    """Identifiers and strings in a file's code (docstrings, comments and examples in them left out)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    docstrings |= {id(node.value) for node in ast.walk(tree)  # attribute docstrings
                   if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)}
    words: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            words.add(node.id)
        elif isinstance(node, ast.Attribute):
            words.add(node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            words.update(re.findall(r"\w+", node.value))
    return words


def test_the_engine_knows_no_route():
    """The engine (static scan, tripwires) has the mechanism; the plug-in has the names."""
    lasts = {r.rstrip(".*").rsplit(".", 1)[-1] for r in ROUTES} - {"attention", "transformer"}
    engine = [p for p in sorted((ROOT / "grader").rglob("*.py")) if "builtin" not in p.relative_to(ROOT).parts]
    found = {f"{p.relative_to(ROOT)}: {w}" for p in engine for w in _code_words(p) & lasts}
    assert not found, sorted(found)
    assert len(engine) > 40


def test_a_route_a_newer_torch_adds_is_caught(monkeypatch):
    """What a newer torch would look like: a new attention kernel the set (built earlier) does not hold."""
    monkeypatch.setattr(torch.nn.modules.linear, "fused_mha_v9", lambda *a: None, raising=False)
    monkeypatch.setattr(torch.nn.functional, "_flash_attn_v9", lambda *a: None, raising=False)
    missing = sorted(n for n in _walked() if n not in NOT_ROUTES and not covers(ROUTES, n))
    assert missing == ["torch.nn.functional._flash_attn_v9", "torch.nn.modules.linear.fused_mha_v9"]
