"""Arithmetic from the question bank, evaluated without ``eval``: a whitelist of AST nodes.

Allowed: numbers, the question's parameter names, + - * / // % **, unary minus, comparisons and
and/or/not (for ``where`` conditions), and a few functions (sqrt, log, log2, exp, sin, cos, min,
max, abs, round). Exponents are bounded so that ``10 ** 10 ** 10`` cannot stall the grader.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping
from typing import Any

MAX_LENGTH = 300
MAX_EXPONENT = 64

BINARY: Mapping[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow,
}
COMPARE: Mapping[type, Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge,
}
FUNCTIONS: Mapping[str, Callable[..., float]] = {
    "sqrt": math.sqrt, "log": math.log, "log2": math.log2, "exp": math.exp, "sin": math.sin, "cos": math.cos,
    "min": min, "max": max, "abs": abs, "round": round,
}


class UnsafeExpression(ValueError):
    """The expression uses something outside the whitelist, or cannot be evaluated."""


def names_in(expression: str) -> set[str]:
    """The variable names an expression uses (function names excluded)."""
    tree = _parse(expression)
    calls = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in calls}


def _parse(expression: str) -> ast.Expression:
    if not isinstance(expression, str) or len(expression) > MAX_LENGTH:
        raise UnsafeExpression(f"expected a formula of at most {MAX_LENGTH} characters")
    try:
        return ast.parse(expression, mode="eval")
    except SyntaxError as exc:
        raise UnsafeExpression(f"not a formula: {exc.msg}") from None


def evaluate(expression: str, names: Mapping[str, float] | None = None) -> Any:
    """The value of ``expression`` with ``names`` bound; UnsafeExpression for anything not allowed."""
    return _eval(_parse(expression).body, dict(names or {}))


def _eval(node: ast.AST, names: dict[str, float]) -> Any:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float, bool):
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in names:
            raise UnsafeExpression(f"unknown name {node.id!r}")
        return names[node.id]
    if isinstance(node, ast.BinOp) and type(node.op) in BINARY:
        left, right = _eval(node.left, names), _eval(node.right, names)
        if isinstance(node.op, ast.Pow) and (abs(right) > MAX_EXPONENT or abs(left) > 1e6):
            raise UnsafeExpression(f"power too large: {left} ** {right}")
        try:
            return BINARY[type(node.op)](left, right)
        except (ArithmeticError, ValueError) as exc:
            raise UnsafeExpression(str(exc)) from None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd, ast.Not)):
        value = _eval(node.operand, names)
        return -value if isinstance(node.op, ast.USub) else (not value if isinstance(node.op, ast.Not) else value)
    if isinstance(node, ast.Compare) and all(type(op) in COMPARE for op in node.ops):
        left = _eval(node.left, names)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = _eval(comparator, names)
            if not COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.BoolOp):
        values = [_eval(v, names) for v in node.values]
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS
            and not node.keywords):
        args = [_eval(a, names) for a in node.args]
        try:
            return FUNCTIONS[node.func.id](*args)
        except (ArithmeticError, ValueError, TypeError) as exc:
            raise UnsafeExpression(str(exc)) from None
    raise UnsafeExpression(f"{type(node).__name__} is not allowed in a formula")
