from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SOLUTIONS, STUBS
from corpus import build, variants

from grader import api, static
from grader.builtin.transformer.spec import FORBIDDEN_ATTENTION
from grader.results import Status
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
                                  ("MultiHeadAttention", "torch.nn.functional.scaled_dot_product_attention"),
                                  ("MultiHeadAttention", "torch.nn.functional.scaled_dot_product_attention"),
                                  # the import itself is a module-level alias: every exercise that forbids it
                                  ("scaled_dot_product_attention", "torch.nn.functional.scaled_dot_product_attention")]


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


# --- indirect routes to a forbidden name, code that is not allowed --------------------------------

SDPA = "torch.nn.functional.scaled_dot_product_attention"
HEAD = "import functools\nimport torch\nimport torch.nn.functional as F\nfrom torch import nn\n"  # 4 lines


def found(source: str, exercises=None) -> set[tuple[str, str, str, int]]:
    """(exercise, kind, name, line) of every finding in ``source``."""
    return {(h.exercise, h.kind, h.name, h.line) for h in forbidden_uses(source, exercises or FORBID)}


def sdpa_body(*lines: str) -> str:
    """HEAD, then the exercise's function (line 5) whose body starts on line 6."""
    return HEAD + "def scaled_dot_product_attention(q, k, v, mask=None):\n" + "".join(f"    {x}\n" for x in lines)


def only_sdpa(source: str) -> set[tuple[str, int]]:
    hits = found(source)
    assert {h[0] for h in hits} == {"scaled_dot_product_attention"}, hits
    return {(h[1], h[3]) for h in hits}


@pytest.mark.parametrize("line", [
    'return getattr(F, "scaled_dot_product_attention")(q, k, v)',
    'return getattr(F, "scaled_dot_" + "product_attention")(q, k, v)',
    'return getattr(F, f"scaled_dot_{\'product\'}_attention")(q, k, v)',
    'return getattr(F, "_".join(["scaled", "dot", "product", "attention"]))(q, k, v)',
    'return getattr(F, "noitnetta_tcudorp_tod_delacs"[::-1])(q, k, v)',
    'return getattr(F, "".join(map(chr, [115, 99, 97, 108, 101, 100, 95, 100, 111, 116, 95, 112, 114, 111, 100, '
    '117, 99, 116, 95, 97, 116, 116, 101, 110, 116, 105, 111, 110])))(q, k, v)',
    'return F.__dict__["scaled_dot_product_attention"](q, k, v)',
    'return vars(F)["scaled_dot_product_attention"](q, k, v)',
    'return getattr(torch.nn, "functional").scaled_dot_product_attention(q, k, v)',
    'return functools.partial(F.scaled_dot_product_attention, q)(k, v)',
    'return (lambda *a: F.scaled_dot_product_attention(*a))(q, k, v)',
    'return torch._C._nn.scaled_dot_product_attention(q, k, v)',
    'return torch.ops.aten.scaled_dot_product_attention(q, k, v)',
    'g, h = F, 1\n    return [g][0].softmax(q, -1) if h else g.scaled_dot_product_attention(q, k, v)',
])
def test_indirect_routes_to_the_forbidden_name_are_flagged_on_their_line(line):
    assert ("forbidden", 6 + line.count("\n")) in only_sdpa(sdpa_body(line))


def test_pieces_of_the_name_in_separate_literals():
    src = sdpa_body('a = "scaled_dot_"', 'b = "product_attention"', "return getattr(F, a + b)(q, k, v)")
    assert ("forbidden", 6) in only_sdpa(src)


@pytest.mark.parametrize("line,kind", [
    ('return eval("F.softmax")(q)', "dynamic_code"),
    ('exec("x = 1")', "dynamic_code"),
    ('code = compile("1", "f", "eval")', "dynamic_code"),
    ('return __import__("torch").softmax(q, -1)', "import_machinery"),
    ('import importlib', "import_machinery"),
    ('return importlib.import_module("torch").softmax(q, -1)', "import_machinery"),
    ('import builtins', "import_machinery"),
    ('import sys\n    return sys.modules["torch"].softmax(q, -1)', "import_machinery"),
    ('return torch.ops.aten._softmax(q, -1, False)', "torch_internals"),
    ('return torch._C._nn.linear(q, k)', "torch_internals"),
    ('return torch._native_multi_head_attention', "torch_internals"),
    ('import ctypes', "native_code"),
    ('import subprocess', "native_code"),
    ('import gc', "introspection"),
    ('return q.__class__.__subclasses__()', "introspection"),
    ('return getattr(torch, "".join(reversed(q.names)))', "introspection"),
    ('return getattr(F, k)(q)', "introspection"),
])
def test_code_that_is_not_allowed_is_flagged_on_its_line(line, kind):
    first = 6 if line.count("\n") == 0 else 7
    assert (kind, first) in only_sdpa(sdpa_body(line)), found(sdpa_body(line))


def test_builtins_reached_through_the_builtins_module():
    for line in ("import builtins\n    return builtins.eval('q')", "import builtins\n    return getattr(builtins, 'exec')"):
        assert {h[1] for h in found(sdpa_body(line))} == {"import_machinery"}


def test_correct_code_is_not_flagged():
    src = sdpa_body(
        "scores = q @ k.transpose(-2, -1) / q.size(-1) ** 0.5",
        "w = F.softmax(scores, dim=-1)",
        "w = torch.nn.functional.softmax(scores, dim=-1)",
        "layers = [nn.Linear(4, 4), torch.nn.Linear(4, 4), nn.LayerNorm(4), nn.Dropout(0.1)]",
        "m = layers[0].eval()",
        "m.train()",
        "m = torch.compile",
        "return w @ v, w",
    )
    assert found(src) == set()
    assert found("import torch\nclass MultiHeadAttention(torch.nn.Module):\n    def forward(self, x):\n"
                 "        self.eval()\n        return x\n") == set()


def test_model_eval_is_fine_but_bare_eval_is_not():
    assert found(sdpa_body("model = nn.Linear(2, 2)", "model.eval()", "return q, q")) == set()
    assert ("dynamic_code", 6) in only_sdpa(sdpa_body("f = eval", "return q, q"))


def test_module_level_alias_counts_for_every_exercise_that_forbids_it():
    src = (HEAD + "sdpa = F.scaled_dot_product_attention\n"
           "def scaled_dot_product_attention(q, k, v, mask=None):\n    return sdpa(q, k, v)\n")
    hits = found(src)
    assert ("scaled_dot_product_attention", "forbidden", SDPA, 5) in hits  # the alias, for every exercise
    assert ("MultiHeadAttention", "forbidden", SDPA, 5) in hits
    assert ("scaled_dot_product_attention", "forbidden", SDPA, 7) in hits  # and its use


def test_module_level_dynamic_code_counts_for_every_exercise():
    hits = found("import importlib\ndef masked_softmax(s, m=None):\n    return s\n",
                 {"masked_softmax": (), "scaled_dot_product_attention": (SDPA,)})
    assert hits == {("masked_softmax", "import_machinery", "importlib", 1),
                    ("scaled_dot_product_attention", "import_machinery", "importlib", 1)}


def test_forbidden_string_anywhere():
    src = "import torch\nNAME = 'MultiheadAttention'\nclass MultiHeadAttention(torch.nn.Module):\n    pass\n"
    assert ("MultiHeadAttention", "forbidden", "torch.nn.MultiheadAttention", 2) in found(src)
    assert found("X = 'torch.nn.modules.activation.MultiheadAttention'\n") >= {
        ("MultiHeadAttention", "forbidden", "torch.nn.MultiheadAttention", 1)}


def test_aliases_of_forbidden_classes():
    src = ("import torch.nn.modules.activation as act\nfrom torch import nn\n"
           "class MultiHeadAttention(nn.Module):\n    def __init__(self):\n        self.m = act.MultiheadAttention(4, 2)\n"
           "        self.n = nn.modules.MultiheadAttention(4, 2)\n")
    hits = found(src)
    assert ("MultiHeadAttention", "forbidden", "torch.nn.MultiheadAttention", 5) in hits
    assert ("MultiHeadAttention", "forbidden", "torch.nn.MultiheadAttention", 6) in hits


def test_star_import():
    src = "from torch.nn.functional import *\ndef scaled_dot_product_attention(q, k, v, mask=None):\n    return q\n" \
          "class MultiHeadAttention:\n    def forward(self, x):\n        return multi_head_attention_forward(x)\n"
    assert ("MultiHeadAttention", "forbidden", "torch.nn.functional.multi_head_attention_forward", 6) in found(
        src, {"MultiHeadAttention": ("torch.nn.functional.multi_head_attention_forward",)})


def test_only_the_exact_main_block_is_ignored():
    body = "    print(F.scaled_dot_product_attention)\n"
    ok = HEAD + "if __name__ == '__main__':\n" + body
    assert found(ok) == set()
    for test in ("'__main__' == __name__", "__name__ == '__main__' or True", "__name__ != 'x'", "True"):
        assert found(HEAD + f"if {test}:\n" + body), test
    assert found(HEAD + "if __name__ == '__main__':\n    pass\nelse:\n" + body)
    assert found(HEAD + "__name__ = '__main__'\nif __name__ == '__main__':\n" + body)
    assert found(HEAD + "globals()['__name__'] = '__main__'\nif __name__ == '__main__':\n" + body)
    assert found(HEAD + "def f():\n    if __name__ == '__main__':\n" + body.replace("    ", "        "))


def test_docstrings_and_bare_strings_are_not_code_but_doc_is_flagged():
    src = ('"""Uses scaled_dot_product_attention and nn.MultiheadAttention ideas."""\nimport torch.nn.functional as F\n'
           'def scaled_dot_product_attention(q, k, v, mask=None):\n    """Like MultiheadAttention."""\n    return q, q\n')
    assert found(src) == set()
    assert {h[1] for h in found(src + "X = __doc__\n")} == {"introspection"}


def test_helper_module_counts_for_every_exercise_that_forbids_it(tmp_path):
    (tmp_path / "attention.py").write_text("from .helper import attend\n"
                                           "def scaled_dot_product_attention(q, k, v, mask=None):\n"
                                           "    return attend(q, k, v)\ndef masked_softmax(s, m=None):\n    return s\n")
    (tmp_path / "helper.py").write_text("import torch.nn.functional as F\n\n"
                                        "def attend(q, k, v):\n    return F.scaled_dot_product_attention(q, k, v)\n")
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "dyn.py").write_text("import importlib\n")
    files = {"attention.py": {"scaled_dot_product_attention": (SDPA,), "masked_softmax": ()}}
    hits = {(h.exercise, h.kind, h.file, h.line) for h in static.scan(tmp_path, files)}
    assert hits == {("scaled_dot_product_attention", "forbidden", "helper.py", 4),
                    ("scaled_dot_product_attention", "import_machinery", "tools/dyn.py", 1),
                    ("masked_softmax", "import_machinery", "tools/dyn.py", 1)}


def test_compiled_files_are_not_allowed(tmp_path):
    (tmp_path / "attention.py").write_text("import helper\n")
    (tmp_path / "helper.pyc").write_bytes(b"\x00")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "attention.cpython-311.pyc").write_bytes(b"\x00")  # never copied to the sandbox
    hits = static.scan(tmp_path, {"attention.py": {"masked_softmax": ()}})
    assert [(h.kind, h.file, h.key) for h in hits] == [("compiled", "helper.pyc", "check.compiled_file")]


def test_every_finding_kind_has_a_message():
    from grader.messages import CATALOGS

    assert set(static.MESSAGE_KEYS.values()) <= set(CATALOGS["en"]) & set(CATALOGS["ko"])


def _files(assignment):
    files: dict[str, dict[str, tuple[str, ...]]] = {}
    for e in assignment.exercises:
        files.setdefault(e.file, {})[e.id] = e.forbidden
    return files


CORRECT = variants("correct")


@pytest.mark.parametrize("variant", CORRECT, ids=[v.name for v in CORRECT])
def test_correct_corpus_has_no_finding(variant, assignment, tmp_path):
    assert static.scan(build(variant, tmp_path / "sub"), _files(assignment)) == []


def test_solutions_and_stubs_have_no_finding(assignment):
    assert static.scan(SOLUTIONS, _files(assignment)) == []
    assert static.scan(STUBS, _files(assignment)) == []


def test_forbidden_mutants_are_flagged_on_their_exercise(assignment, tmp_path):
    for variant in variants("mutants"):
        hits = static.scan(build(variant, tmp_path / variant.name), _files(assignment))
        if "forbidden" in variant.name:
            assert {h.exercise for h in hits} == {variant.exercise}, (variant.name, hits)
        else:
            assert hits == [], (variant.name, hits)


# --- the second wall: the child's tripwire ----------------------------------------------------------

SDPA_CODES = [c - 1 for c in b"scaled_dot_product_attention"]
HIDDEN_CALL = (
    "    box = {'m': torch.nn.functional}\n"
    f"    name = ''.join(chr(c + 1) for c in {SDPA_CODES})\n"
    "    try:\n"
    "        getattr(box['m'], name)(q, k, v, attn_mask=mask)  # the tripwire\n"
    "    except BaseException:\n"
    "        pass\n"
)
SDPA_STEP = "    # 1. similarity of every query with every key: (..., Lq, Lk)\n"
SOFTMAX_STEP = "    # 1. push the masked scores far below every allowed one (the lowest finite value of the dtype)\n"


def _hidden_route(submission):
    """The solution, with a call to F.scaled_dot_product_attention the static scan cannot see, whose
    exception is swallowed, in scaled_dot_product_attention and in masked_softmax (which may use it)."""
    sub = submission(("attention.py", SDPA_STEP, HIDDEN_CALL + SDPA_STEP),
                     ("attention.py", SOFTMAX_STEP, HIDDEN_CALL.replace("q, k, v", "scores, scores, scores")
                      + SOFTMAX_STEP))
    line = (sub / "attention.py").read_text().splitlines().index(HIDDEN_CALL.splitlines()[3]) + 1
    return sub, line


def test_a_forbidden_call_the_scan_cannot_see_scores_zero(submission, reference, assignment):
    sub, line = _hidden_route(submission)
    lines = (sub / "attention.py").read_text().splitlines()
    line_softmax = lines.index(HIDDEN_CALL.replace("q, k, v", "scores, scores, scores").splitlines()[3]) + 1
    assert static.scan(sub, _files(assignment)) == []  # invisible to the first wall
    result = api.check(sub, exercises=["masked_softmax", "scaled_dot_product_attention"], reference=reference)
    ex = {e.id: e for e in result.exercises}
    # both forbid every attention route (masked softmax is attention's weights with identity values)
    for exercise, at in (("masked_softmax", line_softmax), ("scaled_dot_product_attention", line)):
        done = ex[exercise]
        assert done.score == 0 and done.status is Status.FAILED
        assert [(n.key, n.params["name"], n.params["file"], n.params["line"]) for n in done.notes
                if n.key.startswith("check.")] == [("check.forbidden_call", SDPA, "attention.py", at)]
    assert all(c.status is not Status.PASSED for c in ex["scaled_dot_product_attention"].cases)
    # the grading process (where the reference runs) never gets a tripwire
    import torch
    assert torch.nn.functional.scaled_dot_product_attention is torch._C._nn.scaled_dot_product_attention


def test_a_forbidden_call_is_named_on_each_case(submission, reference):
    sub, line = _hidden_route(submission)
    result = api.check(sub, exercises=["scaled_dot_product_attention"], reference=reference)
    for case in result.exercises[0].cases:
        assert case.failure.message.key == "check.forbidden_call"
        assert case.failure.message.params["name"] == SDPA


def test_forbidden_classes_trip_even_when_made_on_import(submission, reference):
    route = ("    # 1. project, then split into heads: (B, h, L, d_k)\n",
             "    # 1. project, then split into heads: (B, h, L, d_k)\n"
             "        try:\n            _SHORTCUT(query, key, value)\n        except BaseException:\n            pass\n")
    sub = submission(("multihead.py", "class MultiHeadAttention(nn.Module):",
                      "_BOX = [nn]\n_SHORTCUT = [getattr(_BOX[0], n) for n in dir(nn) if n.lower() == 'multiheadattention'][0]"
                      "(16, 4, batch_first=True)  # made on import\n\n\nclass MultiHeadAttention(nn.Module):"),
                     ("multihead.py", route[0].replace("    #", "        #"), route[1].replace("    #", "        #", 1)))
    result = api.check(sub, exercises=["MultiHeadAttention"], reference=reference)
    assert static.scan(sub, {"multihead.py": {"MultiHeadAttention": FORBIDDEN_ATTENTION}}) == []
    mha = result.exercises[0]
    assert mha.score == 0
    assert [n.key for n in mha.notes] == ["check.forbidden_call"]
    assert mha.notes[0].params["name"] == "torch.nn.MultiheadAttention"


TRIPWIRE_ROUTES = r'''
import sys
import torch, torch.nn.functional as F
from torch import nn
from grader.builtin.transformer.routes import forbidden_routes
from grader.sandbox import tripwire
SDPA = "torch.nn.functional.scaled_dot_product_attention"
before = nn.MultiheadAttention(4, 2)
assert "torch.nn.attention.flex_attention" not in sys.modules  # installing imports nothing
ROUTES = forbidden_routes()
tripwire.install(ROUTES)
assert "torch.nn.attention.flex_attention" not in sys.modules
q = torch.randn(1, 2, 3, 4)
routes = {
    "F": (lambda: F.scaled_dot_product_attention(q, q, q), SDPA),
    "getattr": (lambda: getattr(F, "scaled_dot_" + "product_attention")(q, q, q), SDPA),
    "dict": (lambda: vars(F)["scaled_dot_product_attention"](q, q, q), SDPA),
    "C": (lambda: torch._C._nn.scaled_dot_product_attention(q, q, q), "torch._C._nn.scaled_dot_product_attention"),
    "ops": (lambda: torch.ops.aten.scaled_dot_product_attention(q, q, q), "torch.ops.aten.scaled_dot_product_attention"),
    "ops.default": (lambda: torch.ops.aten.scaled_dot_product_attention.default(q, q, q),
                    "torch.ops.aten.scaled_dot_product_attention"),
    "ops.cpu": (lambda: torch.ops.aten._scaled_dot_product_flash_attention_for_cpu.default(q, q, q),
                "torch.ops.aten._scaled_dot_product_flash_attention_for_cpu"),
    "private": (lambda: torch._scaled_dot_product_flash_attention_for_cpu(q, q, q),
                "torch._scaled_dot_product_flash_attention_for_cpu"),
    "class": (lambda: nn.modules.activation.MultiheadAttention(4, 2), "torch.nn.MultiheadAttention"),
    "subclass": (lambda: type("Mine", (nn.MultiheadAttention,), {})(4, 2), "torch.nn.MultiheadAttention"),
    "made before": (lambda: before(q[0], q[0], q[0]), "torch.nn.MultiheadAttention"),
    "layer": (lambda: nn.TransformerEncoderLayer(4, 2), "torch.nn.TransformerEncoderLayer"),
    "static method": (lambda: nn.Transformer.generate_square_subsequent_mask(3),
                      "torch.nn.modules.transformer._generate_square_subsequent_mask"),
    "flex_attention": (lambda: __import__("torch.nn.attention.flex_attention", fromlist=["x"]).flex_attention(q, q, q),
                       "torch.nn.attention.flex_attention.flex_attention"),
    "flex block mask": (lambda: __import__("torch.nn.attention.flex_attention", fromlist=["x"]).create_mask(
                            lambda b, h, i, j: i >= j, 1, 1, 3, 3, device="cpu"),
                        "torch.nn.attention.flex_attention.create_mask"),
    "sdpa_kernel": (lambda: torch.nn.attention.sdpa_kernel(torch.nn.attention.SDPBackend.MATH),
                    "torch.nn.attention.sdpa_kernel"),
    "varlen": (lambda: __import__("torch.nn.attention.varlen", fromlist=["x"]).varlen_attn(q[0], q[0], q[0], None, None, 3, 3),
               "torch.nn.attention.varlen.varlen_attn"),
}
for label, (route, name) in routes.items():
    try:
        route()  # unarmed: calls through
    except tripwire.ForbiddenCall:
        raise
    except Exception:
        pass  # this torch refuses these arguments on CPU: what matters is that the tripwire goes first
    with tripwire.armed(ROUTES):
        try:
            route()
            print(label, "went through")
        except tripwire.ForbiddenCall as exc:
            assert exc.name == name, (label, exc.name, name)
        try:
            route()
        except Exception:
            print(label, "caught by except Exception")
        except BaseException:
            pass
    hits = tripwire.take_hits()
    assert len(hits) == 2 and hits[0].name == name, (label, [(h.name, h.via) for h in hits])
with tripwire.armed([SDPA]):
    F.softmax(q, -1), nn.Linear(4, 4)(q), nn.MultiheadAttention(4, 2)  # not forbidden here
    nn.LayerNorm(4)(q), nn.Dropout(0.1)(q), torch.tril(torch.ones(3, 3, dtype=torch.bool))
assert not tripwire.take_hits()
tripwire.uninstall()
assert F.scaled_dot_product_attention is torch._C._nn.scaled_dot_product_attention
with tripwire.armed(ROUTES):
    F.scaled_dot_product_attention(q, q, q), nn.MultiheadAttention(4, 2), torch.ops.aten.scaled_dot_product_attention(q, q, q)
print("ok")
'''


def test_tripwire_routes():
    """In a process of its own: the grading process's torch stays untouched."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-c", TRIPWIRE_ROUTES], capture_output=True, text=True, cwd=root,
                         timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stdout + out.stderr


def test_adding_the_own_folder_to_sys_path_is_fine():
    src = ("import os\nimport sys\nsys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))\n"
           "from attention import masked_softmax\n")
    assert found(src) == set()


# --- found by attacking the scan ----------------------------------------------------------------------

def test_a_coding_cookie_other_than_utf8_is_not_scannable(tmp_path):
    """utf-7 hides `import ctypes` in what reads as a comment in UTF-8; Python would run it."""
    code = "\nimport ctypes\n".encode("utf-16-be")
    import base64

    hidden = "+" + base64.b64encode(code).decode().rstrip("=") + "-"
    (tmp_path / "attention.py").write_bytes(b"# -*- coding: utf-7 -*-\n#" + hidden.encode() + b"\n")
    hits = static.scan(tmp_path, {"attention.py": {"masked_softmax": ()}})
    assert [(h.kind, h.file) for h in hits] == [("unscannable", "attention.py")]
    (tmp_path / "attention.py").write_bytes(b"# -*- coding: latin-1 -*-\nx = 1\n")
    assert [h.kind for h in static.scan(tmp_path, {"attention.py": {"masked_softmax": ()}})] == ["unscannable"]
    (tmp_path / "attention.py").write_bytes(b"# -*- coding: utf-8 -*-\nx = 1\n")
    assert static.scan(tmp_path, {"attention.py": {"masked_softmax": ()}}) == []


def test_the_scan_reads_a_bounded_amount_of_source(tmp_path):
    """Megabytes of expressions used to cost minutes and gigabytes in the grading process."""
    line = "x = (a.b.c(d, e[f], 'g' + 'h') if i else j.k(l=m, n=[o, p, q]))\n"
    (tmp_path / "attention.py").write_text("import helper0\n")
    for i in range(4):
        (tmp_path / f"helper{i}.py").write_text(line * (static.MAX_FILE_BYTES // len(line) - 10))
    hits = static.scan(tmp_path, {"attention.py": {"masked_softmax": ()}})
    assert {h.kind for h in hits} == {"unscannable"}
    assert len(hits) >= 1


def test_importing_the_grader_is_not_allowed():
    hits = forbidden_uses("from grader.sandbox import tripwire\ndef masked_softmax(s, m, d):\n    return s\n",
                          {"masked_softmax": ()})
    assert [h.kind for h in hits] == ["import_machinery"]
    hits = forbidden_uses("import __main__\ndef masked_softmax(s, m, d):\n    return s\n", {"masked_softmax": ()})
    assert [h.kind for h in hits] == ["import_machinery"]
