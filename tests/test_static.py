from __future__ import annotations

from grader.static import forbidden_uses

FORBID = {"scaled_dot_product_attention": ("torch.nn.functional.scaled_dot_product_attention",),
          "MultiHeadAttention": ("torch.nn.MultiheadAttention", "torch.nn.functional.scaled_dot_product_attention")}


def names(source: str) -> list[tuple[str, str]]:
    return [(h.exercise, h.name) for h in forbidden_uses(source, FORBID)]


def test_attribute_through_alias():
    src = "import torch.nn.functional as F\ndef scaled_dot_product_attention(q, k, v, mask=None):\n    return F.scaled_dot_product_attention(q, k, v)\n"
    assert names(src) == [("scaled_dot_product_attention", "torch.nn.functional.scaled_dot_product_attention")]


def test_from_import_alias_and_class_body():
    src = ("from torch import nn\nfrom torch.nn.functional import scaled_dot_product_attention as fast\n"
           "class MultiHeadAttention(nn.Module):\n    def __init__(self):\n        self.m = nn.MultiheadAttention(4, 2)\n"
           "    def forward(self, x):\n        return fast(x, x, x)\n")
    assert sorted(names(src)) == [("MultiHeadAttention", "torch.nn.MultiheadAttention"),
                                  ("MultiHeadAttention", "torch.nn.functional.scaled_dot_product_attention")]


def test_helper_called_by_the_exercise_counts():
    src = ("import torch\ndef _attend(q, k, v):\n    return torch.nn.functional.scaled_dot_product_attention(q, k, v)\n"
           "def scaled_dot_product_attention(q, k, v, mask=None):\n    return _attend(q, k, v)\n")
    assert names(src) == [("scaled_dot_product_attention", "torch.nn.functional.scaled_dot_product_attention")]


def test_own_function_of_the_same_name_and_main_block_do_not_count():
    src = ("import torch\nfrom torch import nn\n"
           "def scaled_dot_product_attention(q, k, v, mask=None):\n    return q\n"
           "class MultiHeadAttention(nn.Module):\n    def forward(self, x):\n        return scaled_dot_product_attention(x, x, x)\n"
           "if __name__ == '__main__':\n    print(nn.MultiheadAttention, torch.nn.functional.scaled_dot_product_attention)\n")
    assert names(src) == []


def test_syntax_error_is_left_to_the_sandbox():
    assert forbidden_uses("def broken(:\n", FORBID) == []
