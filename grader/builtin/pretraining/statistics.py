"""Trusted judges for the pretraining assignment's stochastic exercises (mlm_mask_tokens, nsp_sample, sample_next).

The engine runs the student's function K times, with generators seeded seed+0 .. seed+K-1, and hands a
judge the draws stacked on a new leading axis:

    judge(inputs, outputs, args) -> None | (message key, params)

``inputs``: the case's input tensors by name ("tokens", "special_mask", "doc_ids", "logits");
``outputs``: "out.0", "out.1" (K, ...) for a returned tuple, "out" (K, ...) for a single tensor; the same names
with "advanced" for "out" hold one more call's result, its generator seeded like draw 0's and advanced before the
call, and "gen_moved" (bool, one per call) whether each call changed its generator's state;
``args``: the keyword literals of the call (mask_id, vocab_size, mlm_probability, temperature).
A judge returns None when the draws pass, else a message key of MESSAGES (messages.py) and its params.

Invariant judges check every draw exactly (no randomness in the verdict). Statistical judges compare counts
with their exact expected rates by the Chernoff-Hoeffding bound in its relative-entropy form: for a sum X of
n independent Bernoulli variables with mean rate p (the same p, or different ones averaging to p),

    P(X >= n q) <= exp(-n D(q || p))  for q > p,    P(X <= n q) <= exp(-n D(q || p))  for q < p,

with D(q || p) = q log(q/p) + (1-q) log((1-q)/(1-p)) (Hoeffding 1963, Theorem 1). A count is rejected when
n D(X/n || p) > c; as D(. || p) grows monotonically away from p, each tail of that event has probability at
most exp(-c), so a count of a correct implementation is rejected with probability at most 2 exp(-c). A
judge testing m counts sets c = log(2 m / ALPHA): by the union bound a correct implementation fails it with
probability at most ALPHA = 1e-6 per case, whatever the case's sizes. Counts that are tested given other
observed quantities (the 80/10/10 split given which positions were selected, the random tokens given which
positions show one) are independent Bernoulli trials conditionally on those quantities, so the bound holds
conditionally, hence unconditionally.

Independence judges (mlm_independence, nsp_independence, sample_independence) test what makes the draws random,
once the rates have passed. (a) Agreement of disjoint pairs: two draws of the contract that are independent agree
(the same selection, coin or token) with a probability r known exactly from the contract (p² + (1-p)² for a
Bernoulli(p) selection, Σ_v P(v)² for a categorical draw, |O_i ∩ O_j| / (|O_i| |O_j|) for two uniform partners).
Pairing units without overlap ((0, 1), (2, 3), ...: neighbouring positions, neighbouring sequences or sentences or
equal rows of one call, the same unit in draws 2k and 2k+1) makes the agreements independent Bernoulli(r_i) trials
(conditionally on what decides which units are paired, e.g. which positions were selected, which is independent of
the paired draws), so each count is tested by the Chernoff-Hoeffding bound above with c = log(2 m / ALPHA) for m counts. A pattern
shared by every row agrees too often; a pattern that alternates or flips agrees too seldom. These judges run after
the rate judges, whose passing makes the rates they assume hold. (b) Repeats (mlm_repeats, nsp_repeats,
sample_repeats, run right after the invariants): two of the K draws, made with generators seeded differently, are
equal with probability at most P = Π over units of the unit's agreement probability; the judge tests all
K(K-1)/2 pairs only when K(K-1)/2 · P <= ALPHA (else it says nothing), so a draw that is a function of something
other than the generator (a fixed seed, a seed computed from the inputs, a source seeded alike on every call)
fails, whatever its period. Each judge: at most ALPHA = 1e-6 false failures per case.

The generator given (mlm_generator, nsp_generator, sample_generator, run right after the repeats): a draw that is a
function of ``generator.initial_seed()`` (a private generator seeded from it, the generator given re-seeded with it,
a value computed from the seed) differs from draw to draw as the seeds do, so no judge above can tell it from real
draws. The driver therefore also reports (1) ``gen_moved``, whether each call changed the state of the generator it
was given, and (2) ``advanced``, one more call whose generator is seeded like draw 0's and then moved
``drivers.ADVANCE`` = 2^18 values along its stream before the call. (1) is exact: the contract draws from the
generator in every call (sample_next at temperature > 0), and a draw always changes its state, so a correct
implementation never fails it (no false failures); a call that leaves the state as it was drew nothing from it.
(2) is tested like the repeats, as one pair: under the model the other judges rely on (a generator's values are
independent uniform words, whatever the seed), a call that reads fewer than 2^18 values (the reference reads at most
3 x 2048) reads in the advanced call none of the values draw 0 read, so the two results are independent draws of
the contract, equal with at most the probability P of (b), Π over units of the unit's agreement probability. (A
generator moved by one value would not do: draw 0 and the advanced draw would then read overlapping stretches of one
stream, e.g. an inverse-CDF sampler's row b would read what row b + 1 read, and they would agree more often than
independent draws.) The judge fails the pair when it is equal, and speaks only when P <= ALPHA (else it says nothing):
at most ALPHA = 1e-6 false failures per case. A result that ignores the generator's state gives draw 0 exactly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import torch

Verdict = tuple[str, dict[str, Any]] | None

ALPHA = 1e-6
"""The largest probability with which one judge may fail a correct implementation on one case."""

IGNORE_INDEX = -100
MASK_SHARE, RANDOM_SHARE = 0.8, 0.1

# Case sizes the spec uses (the power tests in tests/test_pretraining_stats.py are run at these sizes).
MLM_DRAWS = 50
"""K for mlm_mask_tokens: with MLM_BATCH x MLM_LENGTH tokens, ~100k eligible positions over all draws."""
MLM_BATCH, MLM_LENGTH, MLM_VOCAB = 16, 128, 32
"""(B, L) of the tokens and the vocabulary size: ~1500 random replacements, ~50 per vocabulary entry."""
NSP_DRAWS = 100
"""K for nsp_sample."""
NSP_DOC_SIZES = (2, 3, 4, 5, 7, 9, 12)
"""Sentences per document of the NSP case (42 sentences): unequal sizes, so that drawing a document first
and then a sentence in it is far from uniform over sentences."""
SAMPLE_DRAWS = 100
"""K for sample_next; rows of the logits that are equal are pooled (e.g. 4 distributions x 32 rows: 3200
draws from each distribution)."""


# --- the Chernoff-Hoeffding test ------------------------------------------------------------------

def _kl(q: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
    """D(q || p) between Bernoulli rates, elementwise (inf where q > 0 = p or q < 1 = p)."""
    return torch.xlogy(q, q) - torch.xlogy(q, p) + torch.xlogy(1 - q, 1 - q) - torch.xlogy(1 - q, 1 - p)


def _level(m: int) -> float:
    """The exponent c for m tested counts: m * 2 exp(-c) = ALPHA."""
    return math.log(2 * max(m, 1) / ALPHA)


def _rejected(count: torch.Tensor, n: torch.Tensor, p: torch.Tensor, c: float) -> torch.Tensor:
    """True where n D(count/n || p) > c (never where n = 0)."""
    n = n.double()
    q = torch.where(n > 0, count.double() / n.clamp(min=1), p.double())
    return (n * _kl(q, p.double())).nan_to_num(nan=0.0) > c


def _interval(n: float, p: float, c: float) -> tuple[float, float]:
    """The rates q with n D(q || p) <= c: what a correct implementation shows except with probability 2 exp(-c)."""
    if n <= 0:
        return 0.0, 1.0

    def inside(q: float) -> bool:
        return n * float(_kl(torch.tensor(q, dtype=torch.float64), torch.tensor(p, dtype=torch.float64))) <= c

    def bound(lo: float, hi: float, upward: bool) -> float:
        if inside(hi if upward else lo):  # the whole side is accepted
            return hi if upward else lo
        for _ in range(60):
            mid = (lo + hi) / 2
            if inside(mid) == upward:
                lo = mid
            else:
                hi = mid
        return lo if upward else hi

    return bound(0.0, p, upward=False) if p > 0 else 0.0, bound(p, 1.0, upward=True) if p < 1 else 1.0


def _pct(x: float) -> float:
    return round(100 * float(x), 2)


def _index(mask: torch.Tensor) -> list[int]:
    """The first True position of a boolean tensor, as a list of ints."""
    return [int(i) for i in mask.nonzero()[0]]


def _check_draws(outputs: Mapping[str, torch.Tensor], names: tuple[str, ...], shape: tuple[int, ...],
                 dtypes: tuple[torch.dtype, ...]) -> Verdict:
    """Each output is (K, *shape) with the given dtype."""
    for name, dtype in zip(names, dtypes, strict=True):
        value = outputs.get(name)
        if not isinstance(value, torch.Tensor) or value.dim() < 1 or tuple(value.shape[1:]) != shape:
            got = list(value.shape[1:]) if isinstance(value, torch.Tensor) and value.dim() >= 1 else type(value).__name__
            return "pretraining.check.draw_shape", {"output": name, "expected": list(shape), "got": got}
        if value.dtype != dtype:
            return "pretraining.check.draw_dtype", {"output": name, "expected": str(dtype), "got": str(value.dtype)}
    return None


# --- mlm_mask_tokens ------------------------------------------------------------------------------

def _mlm_args(args: Mapping[str, Any]) -> tuple[int, int, float]:
    return int(args["mask_id"]), int(args["vocab_size"]), float(args.get("mlm_probability", 0.15))


def mlm_invariants(inputs: Mapping[str, torch.Tensor], outputs: Mapping[str, torch.Tensor],
                   args: Mapping[str, Any]) -> Verdict:
    """Every draw, exactly: long outputs of the tokens' shape; labels -100 or the original token; special
    positions never selected (label -100); inputs equal to tokens where not selected; a selected position
    shows mask_id, the original token or a token in [0, vocab_size). No false failures."""
    tokens, special = inputs["tokens"].cpu(), inputs["special_mask"].cpu().bool()
    mask_id, vocab_size, _ = _mlm_args(args)
    bad = _check_draws(outputs, ("out.0", "out.1"), tuple(tokens.shape), (torch.long, torch.long))
    if bad:
        return bad
    shown, labels = outputs["out.0"].cpu(), outputs["out.1"].cpu()
    original = tokens.long().expand_as(labels)
    selected = labels != IGNORE_INDEX
    wrong_label = selected & (labels != original)
    if wrong_label.any():
        values = labels[wrong_label].unique()
        if values.numel() == 1 and int(values[0]) < 0:  # one negative label where -100 belongs: another ignore index
            return "diagnosis.mlm_ignore_label", {"count": int(wrong_label.sum()), "value": int(values[0])}
        where = _index(wrong_label)
        return "pretraining.check.mlm_label_values", {
            "count": int(wrong_label.sum()), "draw": where[0], "index": where[1:],
            "got": int(labels[tuple(where)]), "expected": int(original[tuple(where)])}
    special_selected = selected & special
    if special_selected.any():
        n_special = int(special.sum()) * labels.size(0)
        _, _, p = _mlm_args(args)
        if not bool(_rejected(special_selected.sum(), torch.tensor(n_special), torch.tensor(p), _level(1))):
            # special positions selected at the rate of every other: special_mask plays no part in the selection
            return "diagnosis.special_mask_ignored", {
                "count": int(special_selected.sum()), "total": n_special,
                "observed": _pct(int(special_selected.sum()) / n_special), "expected": _pct(p)}
        where = _index(special_selected)
        return "pretraining.check.mlm_special_selected", {
            "count": int(special_selected.sum()), "draw": where[0], "index": where[1:]}
    changed = ~selected & (shown != original)
    if changed.any():
        where = _index(changed)
        return "pretraining.check.mlm_unselected_changed", {
            "count": int(changed.sum()), "draw": where[0], "index": where[1:],
            "got": int(shown[tuple(where)]), "expected": int(original[tuple(where)])}
    foreign = selected & (shown != mask_id) & (shown != original) & ((shown < 0) | (shown >= vocab_size))
    if foreign.any():
        where = _index(foreign)
        return "pretraining.check.mlm_bad_replacement", {
            "count": int(foreign.sum()), "draw": where[0], "index": where[1:], "got": int(shown[tuple(where)]),
            "mask_id": mask_id, "vocab_size": vocab_size}
    return None


SPLITS = {"random_of_rest": (MASK_SHARE, RANDOM_SHARE * (1 - MASK_SHARE)), "mask_only": (1.0, 0.0),
          "no_random": (MASK_SHARE, 0.0)}
"""Known wrong 80/10/10 splits, as (share shown mask_id, share given a random token): the random share taken of the
20% left after [MASK] (10% of 20% = 2%, transformers#17377), every selected position masked, no random tokens."""


def _split_rates(mask: float, random: float, mask_in: float, vocab_size: int, same_random: float) -> torch.Tensor:
    """The shares of (mask_id, the original token, another token) a split gives, where a random token can be
    mask_id or the original (``same_random``: the mean chance of the latter)."""
    p_mask = mask + random * mask_in / vocab_size
    p_same = (1 - mask - random) + random * same_random
    return torch.tensor([p_mask, p_same, 1 - p_mask - p_same], dtype=torch.float64)


def mlm_fixed_count(inputs: Mapping[str, torch.Tensor], outputs: Mapping[str, torch.Tensor],
                    args: Mapping[str, Any]) -> Verdict:
    """Recognises a fixed number of selected positions per sequence (BERT's create_pretraining_data.py), whatever
    that number is: the count of a sequence does not vary from draw to draw.

    With independent selection, the counts X1, X2 of one sequence (n eligible positions) in two independent draws
    differ by Z = X1 - X2, a sum of n independent terms in {-1, 0, 1} with P(+-1) = pq each (q = 1 - p). So
    Y = Z^2 / 2 has E[Y] = npq and E[Y^2] = E[Z^4] / 4 = (2npq + 12 n(n-1) p^2 q^2) / 4. Pairing draws (0, 1),
    (2, 3), ... gives independent non-negative Y; their sum T has mean mu, and P(T <= mu - t) <=
    exp(-t^2 / (2 sum E[Y^2])) (Maurer 2003). The judge reports a fixed count when T < mu - t with
    t = sqrt(2 sum E[Y^2] log(1/ALPHA)): probability at most ALPHA = 1e-6 for a correct implementation. A fixed
    count gives T = 0. When the case is too small for that (t >= mu / 2), it never reports."""
    special = inputs["special_mask"].cpu().bool()
    _, _, p = _mlm_args(args)
    bad = _check_draws(outputs, ("out.1",), tuple(special.shape), (torch.long,))
    if bad:
        return bad
    labels = outputs["out.1"].cpu()
    pairs = labels.size(0) // 2
    if pairs == 0:
        return None
    count = (labels[: 2 * pairs] != IGNORE_INDEX).sum(dim=-1).double()  # (2P, B)
    n = (~special).sum(dim=-1).double()  # (B,) eligible positions per sequence
    q = 1 - p
    y = (count[0::2] - count[1::2]) ** 2 / 2  # (P, B)
    mu = pairs * float((n * p * q).sum())
    second = pairs * float(((2 * n * p * q + 12 * n * (n - 1) * p * p * q * q) / 4).sum())
    t = math.sqrt(2 * second * math.log(1 / ALPHA))
    if mu <= 0 or t >= mu / 2:
        return None
    if float(y.sum()) >= mu - t:
        return None
    per_row = count.std(dim=0, unbiased=False)
    return "diagnosis.fixed_count_masking", {
        "expected_sd": round(math.sqrt(float((n * p * q).mean())), 2),
        "observed_sd": round(float(per_row.mean()), 2), "draws": int(labels.size(0)), "p": p}


def mlm_rates(inputs: Mapping[str, torch.Tensor], outputs: Mapping[str, torch.Tensor],
              args: Mapping[str, Any]) -> Verdict:
    """Over all draws: the selection rate over eligible positions is mlm_probability; among selected
    positions (whose token is not mask_id) the shares showing mask_id, the original token and another token
    are exactly 0.8 + 0.1 [mask_id < V] / V, 0.1 + 0.1 [token < V] / V and the rest; each token of
    [0, vocab_size) appears as a random replacement at its exact rate (each position showing another token
    shows a uniform draw from [0, V) without mask_id and its own token). m = 4 + V counts, each tested with
    c = log(2m / 1e-6): false-failure probability at most 1e-6 per case (see the module docstring)."""
    tokens, special = inputs["tokens"].cpu().long(), inputs["special_mask"].cpu().bool()
    mask_id, vocab_size, p = _mlm_args(args)
    bad_draws = _check_draws(outputs, ("out.0", "out.1"), tuple(tokens.shape), (torch.long, torch.long))
    if bad_draws:
        return bad_draws
    shown, labels = outputs["out.0"].cpu(), outputs["out.1"].cpu()
    K = labels.size(0)
    c = _level(4 + vocab_size)
    # 1. selection rate
    eligible = int((~special).sum()) * K
    selected = labels != IGNORE_INDEX
    n_selected = int(selected.sum())
    if bool(_rejected(torch.tensor(n_selected), torch.tensor(eligible), torch.tensor(p), c)):
        low, high = _interval(eligible, p, c)
        return "pretraining.check.mlm_selection_rate", {
            "selected": n_selected, "eligible": eligible, "draws": K, "observed": _pct(n_selected / eligible),
            "expected": _pct(p), "low": _pct(low), "high": _pct(high)}
    # 2. the 80 / 10 / 10 split among selected positions whose token is not mask_id
    original = tokens.expand_as(labels)
    judged = selected & (original != mask_id)
    in_vocab = lambda x: ((x >= 0) & (x < vocab_size)).double()  # noqa: E731
    mask_in = float(0 <= mask_id < vocab_size)
    p_mask = MASK_SHARE + RANDOM_SHARE * mask_in / vocab_size
    p_same = (1 - MASK_SHARE - RANDOM_SHARE) + RANDOM_SHARE * in_vocab(original) / vocab_size  # per position
    is_mask = judged & (shown == mask_id)
    is_same = judged & (shown == original)
    is_other = judged & ~is_mask & ~is_same
    n = judged.sum().double()
    counts = torch.stack([is_mask.sum(), is_same.sum(), is_other.sum()]).double()
    mean_same = (p_same * judged).sum() / n.clamp(min=1)
    mean_same_random = float((in_vocab(original) / vocab_size * judged).sum() / n.clamp(min=1))
    rates = torch.stack([torch.tensor(p_mask, dtype=torch.float64), mean_same, 1 - p_mask - mean_same])
    if bool(_rejected(counts, n.expand(3), rates, c).any()):
        exp = [_pct(r) for r in rates.tolist()]
        got = [_pct(x) for x in (counts / n.clamp(min=1)).tolist()]
        fits = [name for name, (m, r) in SPLITS.items()
                if not bool(_rejected(counts, n.expand(3), _split_rates(m, r, mask_in, vocab_size, mean_same_random), c).any())]
        if len(fits) == 1:  # the one known split the counts fit (and the contract's they do not)
            return f"diagnosis.mlm_split.{fits[0]}", {"selected": int(n), "mask": got[0], "kept": got[1],
                                                      "random": got[2]}
        return "pretraining.check.mlm_split", {
            "selected": int(n), "mask": got[0], "kept": got[1], "random": got[2],
            "exp_mask": exp[0], "exp_kept": exp[1], "exp_random": exp[2]}
    # 3. the random replacements: uniform over [0, V) without mask_id and the position's own token
    other_tokens = shown[is_other]  # (n_other,)
    other_original = original[is_other]
    allowed = vocab_size - mask_in - in_vocab(other_original)  # choices per position
    vocab = torch.arange(vocab_size)
    possible = (vocab[None, :] != other_original[:, None]) & (vocab[None, :] != mask_id)  # (n_other, V)
    trials = possible.sum(dim=0).double()  # (V,) positions that could show v
    expected = (possible.double() / allowed[:, None].clamp(min=1)).sum(dim=0)  # (V,)
    rate = expected / trials.clamp(min=1)
    hits = torch.bincount(other_tokens.clamp(0, vocab_size - 1), minlength=vocab_size).double()
    bad = _rejected(hits, trials, rate, c)
    never = bad & (hits == 0)
    if int(never.sum()) == 1 and bool((bad == never).all()):  # one token left out of the range drawn from
        v = int(never.nonzero()[0])
        return "diagnosis.random_token_never_drawn", {
            "token": v, "expected": round(float(expected[v]), 1), "total": int(is_other.sum()),
            "vocab_size": vocab_size}
    if bad.any():
        v = int(bad.nonzero()[0])
        low, high = _interval(float(trials[v]), float(rate[v]), c)
        return "pretraining.check.mlm_random_not_uniform", {
            "token": v, "count": int(hits[v]), "expected": round(float(expected[v]), 1),
            "low": math.ceil(low * float(trials[v])), "high": math.floor(high * float(trials[v])),
            "total": int(is_other.sum()), "vocab_size": vocab_size}
    return None


# --- nsp_sample -----------------------------------------------------------------------------------

def _documents(doc_ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """has_next (N,) bool and same (N, N) bool: sentence j is in sentence i's document."""
    same = doc_ids[:, None] == doc_ids[None, :]
    has_next = torch.zeros(doc_ids.numel(), dtype=torch.bool)
    has_next[:-1] = doc_ids[1:] == doc_ids[:-1]
    return has_next, same


def _nsp_draws(inputs: Mapping[str, torch.Tensor],
               outputs: Mapping[str, torch.Tensor]) -> tuple[Verdict, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Every NSP judge's start: (why the draws are malformed, or None; doc_ids; partner (K, N); is_next (K, N))."""
    doc_ids = inputs["doc_ids"].cpu()
    bad = _check_draws(outputs, ("out.0", "out.1"), (doc_ids.numel(),), (torch.long, torch.bool))
    if bad:
        return bad, doc_ids, torch.empty(0), torch.empty(0)
    return None, doc_ids, outputs["out.0"].cpu(), outputs["out.1"].cpu()


def nsp_invariants(inputs: Mapping[str, torch.Tensor], outputs: Mapping[str, torch.Tensor],
                   args: Mapping[str, Any]) -> Verdict:
    """Every draw, exactly: partner long and is_next bool, both (N,); partners in [0, N); is_next only for a
    sentence whose next one is in the same document (never for the last of a document), and then
    partner = i + 1; otherwise a partner from another document. No false failures."""
    bad, doc_ids, partner, is_next = _nsp_draws(inputs, outputs)
    if bad:
        return bad
    N = doc_ids.numel()
    has_next, same = _documents(doc_ids)
    index = torch.arange(N).expand_as(partner)
    outside = (partner < 0) | (partner >= N)
    if outside.any():
        where = _index(outside)
        return "pretraining.check.nsp_partner_range", {
            "count": int(outside.sum()), "draw": where[0], "index": where[1], "got": int(partner[tuple(where)]), "n": N}
    across = is_next & ~has_next
    if across.any():
        ends = ~has_next
        ends[-1] = False  # the last sentence has no next one at all
        n_ends = int(ends.sum()) * is_next.size(0)
        hits = int((is_next & ends).sum())
        if n_ends and not bool(_rejected(torch.tensor(hits), torch.tensor(n_ends), torch.tensor(0.5), _level(1))):
            # the coin flipped for the last sentence of a document as for any other: documents ignored
            return "diagnosis.next_across_documents", {"count": hits, "total": n_ends, "observed": _pct(hits / n_ends)}
        where = _index(across)
        return "pretraining.check.nsp_next_across_documents", {
            "count": int(across.sum()), "draw": where[0], "index": where[1]}
    wrong = is_next & (partner != index + 1)
    if wrong.any():
        where = _index(wrong)
        return "pretraining.check.nsp_next_wrong_partner", {
            "count": int(wrong.sum()), "draw": where[0], "index": where[1], "got": int(partner[tuple(where)])}
    own = ~is_next & same[index, partner]
    if own.any():
        # partners drawn from every sentence: one of its own document's with probability size / N
        sizes = same.sum(dim=1).double()
        rate = (sizes / N).expand_as(partner)[~is_next]
        hits, total = int(own.sum()), int((~is_next).sum())
        if not bool(_rejected(torch.tensor(float(hits)), torch.tensor(float(total)),
                              rate.mean(), _level(1))):
            return "diagnosis.partner_any_document", {"count": hits, "total": total, "observed": _pct(hits / total),
                                                      "expected": _pct(float(rate.mean()))}
        where = _index(own)
        return "pretraining.check.nsp_partner_same_document", {
            "count": int(own.sum()), "draw": where[0], "index": where[1], "got": int(partner[tuple(where)])}
    return None


def nsp_rates(inputs: Mapping[str, torch.Tensor], outputs: Mapping[str, torch.Tensor],
              args: Mapping[str, Any]) -> Verdict:
    """Over all draws: is_next is True for half of the sentences that have a next sentence in their
    document; the NotNext partners are uniform over the other documents' sentences. The latter is tested per
    target sentence j: given which draws were NotNext for each i, the number of times j is chosen is a sum of
    independent Bernoulli trials with rates 1 / (N - size of i's document), one per NotNext (i, draw) with i
    outside j's document. m = 1 + N counts, each with c = log(2m / 1e-6): false-failure probability at most
    1e-6 per case (see the module docstring)."""
    malformed, doc_ids, partner, is_next = _nsp_draws(inputs, outputs)
    if malformed:
        return malformed
    N = doc_ids.numel()
    K = partner.size(0)
    has_next, same = _documents(doc_ids)
    c = _level(1 + N)
    # 1. the IsNext rate among sentences that have a next sentence
    trials = int(has_next.sum()) * K
    hits = int((is_next & has_next).sum())
    if bool(_rejected(torch.tensor(hits), torch.tensor(trials), torch.tensor(0.5), c)):
        low, high = _interval(trials, 0.5, c)
        return "pretraining.check.nsp_next_rate", {
            "observed": _pct(hits / trials), "total": trials, "draws": K, "low": _pct(low), "high": _pct(high)}
    # 2. NotNext partners, pooled per target sentence j
    negative = ~is_next  # (K, N)
    per_i = negative.sum(dim=0).double()  # (N,) NotNext draws of sentence i
    others = ~same  # (N, N): j outside i's document
    share = 1.0 / others.sum(dim=1).double().clamp(min=1)  # (N,) chance of each allowed j
    trials_j = (per_i[:, None] * others).sum(dim=0)  # (N,)
    expected_j = (per_i[:, None] * share[:, None] * others).sum(dim=0)  # (N,)
    rate_j = expected_j / trials_j.clamp(min=1)
    chosen = partner[negative]
    hits_j = torch.bincount(chosen.clamp(0, N - 1), minlength=N).double()
    bad = _rejected(hits_j, trials_j, rate_j, c)
    if bad.any():
        # a document first (uniform over the other documents), then a sentence in it: j has rate 1 / (D_i size_j)
        docs = doc_ids.unique()
        size = same.sum(dim=1).double()  # (N,) the size of each sentence's document
        first = (1.0 / (docs.numel() - 1)) / size  # (N,) chance of j for any i outside its document
        expected_first = (per_i[:, None] * others).sum(dim=0) * first
        if not bool(_rejected(hits_j, trials_j, expected_first / trials_j.clamp(min=1), c).any()):
            j = int(((hits_j - expected_j).abs() / expected_j.clamp(min=1)).argmax())
            return "diagnosis.partner_document_first", {
                "index": j, "count": int(hits_j[j]), "expected": round(float(expected_j[j]), 1),
                "total": int(negative.sum()), "draws": K}
        j = int(bad.nonzero()[0])
        low, high = _interval(float(trials_j[j]), float(rate_j[j]), c)
        return "pretraining.check.nsp_partner_not_uniform", {
            "index": j, "count": int(hits_j[j]), "expected": round(float(expected_j[j]), 1),
            "low": math.ceil(low * float(trials_j[j])), "high": math.floor(high * float(trials_j[j])),
            "total": int(negative.sum()), "draws": K}
    return None


# --- sample_next ----------------------------------------------------------------------------------

def sample_invariants(inputs: Mapping[str, torch.Tensor], outputs: Mapping[str, torch.Tensor],
                      args: Mapping[str, Any]) -> Verdict:
    """Every draw, exactly: (B,) long, values in [0, V); with temperature 0, an index of a largest logit.
    No false failures."""
    logits = inputs["logits"].cpu()
    B, V = logits.shape
    bad = _check_draws(outputs, ("out",), (B,), (torch.long,))
    if bad:
        return bad
    drawn = outputs["out"].cpu()
    outside = (drawn < 0) | (drawn >= V)
    if outside.any():
        where = _index(outside)
        return "pretraining.check.sample_range", {
            "count": int(outside.sum()), "draw": where[0], "row": where[1], "got": int(drawn[tuple(where)]), "vocab_size": V}
    if float(args.get("temperature", 1.0)) == 0:
        picked = logits.gather(1, drawn.T).T  # (K, B)
        best = logits.max(dim=1).values.expand_as(picked)
        wrong = picked != best
        if wrong.any():
            where = _index(wrong)
            return "pretraining.check.sample_not_argmax", {
                "count": int(wrong.sum()), "draw": where[0], "row": where[1], "got": int(drawn[tuple(where)]),
                "expected": int(logits[where[1]].argmax())}
    return None


def sample_distribution(inputs: Mapping[str, torch.Tensor], outputs: Mapping[str, torch.Tensor],
                        args: Mapping[str, Any]) -> Verdict:
    """Over all draws (temperature > 0): each token's count, pooled over equal rows of the logits, against
    its probability under softmax(logits / temperature) computed in float64 (a token of probability 0 must
    never appear). m = (distinct rows) x V counts, each with c = log(2m / 1e-6): false-failure probability at
    most 1e-6 per case (see the module docstring). With temperature 0, sample_invariants decides."""
    temperature = float(args.get("temperature", 1.0))
    if temperature == 0:
        return None
    logits = inputs["logits"].cpu().double()
    bad_draws = _check_draws(outputs, ("out",), (logits.size(0),), (torch.long,))
    if bad_draws:
        return bad_draws
    drawn = outputs["out"].cpu()
    K, V = drawn.size(0), logits.size(1)
    rows, group = torch.unique(logits, dim=0, return_inverse=True)  # (G, V), (B,)
    G = rows.size(0)
    probs = torch.softmax(rows / temperature, dim=-1)  # (G, V)
    cell = group[None, :] * V + drawn.clamp(0, V - 1)  # (K, B)
    hits = torch.bincount(cell.reshape(-1), minlength=G * V).view(G, V).double()
    trials = torch.bincount(group, minlength=G).double()[:, None].expand(G, V) * K
    bad = _rejected(hits, trials, probs, _level(G * V))
    if bad.any():
        g, v = (int(i) for i in bad.nonzero()[0])
        row = int((group == g).nonzero()[0])
        low, high = _interval(float(trials[g, v]), float(probs[g, v]), _level(G * V))
        return "pretraining.check.sample_distribution", {
            "row": row, "token": v, "count": int(hits[g, v]), "draws": int(trials[g, v]),
            "observed": _pct(float(hits[g, v] / trials[g, v])), "expected": _pct(float(probs[g, v])), "temperature": temperature,
            "low": _pct(low), "high": _pct(high)}
    return None


# --- independence ----------------------------------------------------------------------------------

def _pair_up(n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Disjoint pairs (0, 1), (2, 3), ... of n indices: the first and the second of each."""
    first = torch.arange(0, n - 1, 2)
    return first, first + 1


def _agreement(key: str, agree: torch.Tensor, rate: torch.Tensor, c: float) -> Verdict:
    """Agreements of disjoint pairs (flat bool) against their exact probabilities (flat, same length) at level c."""
    n = agree.numel()
    if n == 0:
        return None
    hits, mean = float(agree.sum()), float(rate.double().mean())
    if not bool(_rejected(torch.tensor(hits), torch.tensor(n), torch.tensor(mean), c)):
        return None
    low, high = _interval(n, mean, c)
    return key, {"agree": int(hits), "pairs": n, "observed": _pct(hits / n), "expected": _pct(mean),
                 "low": _pct(low), "high": _pct(high)}


def _speaks(pairs: int, log_p_equal: float) -> bool:
    """Whether ``pairs`` pairs of independent draws, each equal with probability P = exp(log_p_equal), are all
    unequal except with probability at most ALPHA (union bound: pairs · P <= ALPHA)."""
    return pairs >= 1 and math.log(pairs) + log_p_equal <= math.log(ALPHA)


def _repeats(flat: torch.Tensor, log_p_equal: float) -> Verdict:
    """Two draws (rows of ``flat``, (K, n)) that are equal, when K(K-1)/2 · P(two equal) <= ALPHA."""
    k = flat.size(0)
    if not _speaks(k * (k - 1) // 2, log_p_equal):
        return None
    equal = (flat[:, None, :] == flat[None, :, :]).all(dim=-1).triu(diagonal=1)
    if not equal.any():
        return None
    first, second = (int(i) for i in equal.nonzero()[0])
    return "diagnosis.draws_repeat", {"first": first, "second": second, "draws": k,
                                      "repeated": int(equal.any(dim=0).sum())}


def mlm_independence(inputs: Mapping[str, torch.Tensor], outputs: Mapping[str, torch.Tensor],
                     args: Mapping[str, Any]) -> Verdict:
    """Each eligible position is selected by its own draw, in each sequence and each call anew, and each selected
    position is split 80/10/10 by its own draw. Agreement of selections (rate p² + (1-p)²) in disjoint pairs of
    neighbouring sequences (same position), of neighbouring eligible positions, of draws 2k and 2k+1 (same position);
    of the split's outcome (mask_id, the token, another token; rate the sum of the products of the two positions'
    shares) in disjoint pairs of consecutive selected positions of one call (given the selection); m = 4 counts.
    At most 1e-6 false failures per case (module docstring)."""
    tokens, special = inputs["tokens"].cpu().long(), inputs["special_mask"].cpu().bool()
    mask_id, vocab_size, p = _mlm_args(args)
    bad = _check_draws(outputs, ("out.0", "out.1"), tuple(tokens.shape), (torch.long, torch.long))
    if bad:
        return bad
    shown, labels = outputs["out.0"].cpu(), outputs["out.1"].cpu()
    if tokens.dim() != 2:
        return None
    K, B, L = labels.shape
    selected = labels != IGNORE_INDEX
    eligible = (~special).expand_as(selected)
    c = _level(4)
    r = p * p + (1 - p) * (1 - p)

    def pairs(dim: int) -> tuple[torch.Tensor, torch.Tensor]:
        a, b = _pair_up(selected.size(dim))
        both = eligible.index_select(dim, a) & eligible.index_select(dim, b)
        agree = selected.index_select(dim, a) == selected.index_select(dim, b)
        return agree[both], torch.full((int(both.sum()),), r, dtype=torch.float64)

    # sequences first: a selection shared by every sequence also makes the pooled position pairs move together
    for key, dim in (("diagnosis.mask_shared_across_sequences", 1), ("pretraining.check.mlm_positions_dependent", 2),
                     ("diagnosis.draws_dependent", 0)):
        found = _agreement(key, *pairs(dim), c)
        if found:
            return found
    # the split, given the selection: consecutive judged positions of each call, paired
    original = tokens.expand_as(labels)
    mask_in = float(0 <= mask_id < vocab_size)
    p_mask = MASK_SHARE + RANDOM_SHARE * mask_in / vocab_size
    agree_all, rate_all = [], []
    for k in range(K):
        judged = selected[k] & (original[k] != mask_id)
        tok, got = original[k][judged], shown[k][judged]
        category = torch.where(got == mask_id, 0, torch.where(got == tok, 1, 2))
        p_same = (1 - MASK_SHARE - RANDOM_SHARE) + RANDOM_SHARE * ((tok >= 0) & (tok < vocab_size)).double() / vocab_size
        shares = torch.stack([torch.full_like(p_same, p_mask), p_same, 1 - p_mask - p_same], dim=-1)  # (n, 3)
        a, b = _pair_up(category.numel())
        agree_all.append(category[a] == category[b])
        rate_all.append((shares[a] * shares[b]).sum(dim=-1))
    return _agreement("pretraining.check.mlm_split_dependent", torch.cat(agree_all), torch.cat(rate_all), c)


def mlm_repeats(inputs: Mapping[str, torch.Tensor], outputs: Mapping[str, torch.Tensor],
                args: Mapping[str, Any]) -> Verdict:
    """No two draws are equal: two draws agree on the selection of every eligible position with probability
    (p² + (1-p)²)^n, n the eligible positions (module docstring, (b))."""
    special = inputs["special_mask"].cpu().bool()
    _, _, p = _mlm_args(args)
    bad = _check_draws(outputs, ("out.0", "out.1"), tuple(special.shape), (torch.long, torch.long))
    if bad:
        return bad
    shown, labels = outputs["out.0"].cpu(), outputs["out.1"].cpu()
    K = labels.size(0)
    return _repeats(torch.cat([shown.reshape(K, -1), labels.reshape(K, -1)], dim=1), _mlm_log_p_equal(special, p))


def _mlm_log_p_equal(special: torch.Tensor, p: float) -> float:
    """log P(two independent draws agree): at most the chance that every eligible position's selection agrees."""
    return int((~special).sum()) * math.log(p * p + (1 - p) * (1 - p))


def nsp_independence(inputs: Mapping[str, torch.Tensor], outputs: Mapping[str, torch.Tensor],
                     args: Mapping[str, Any]) -> Verdict:
    """Each sentence gets its own coin and its own NotNext partner, in each call anew. Agreement of the coins
    (rate 1/2) in disjoint pairs of consecutive sentences that have a next one, and of draws 2k and 2k+1 (same
    sentence); equal partners (rate |O_i ∩ O_j| / (|O_i| |O_j|), O_i the sentences outside i's document) in disjoint
    pairs of consecutive NotNext sentences of one call (given the coins), and of draws 2k and 2k+1 where both are
    NotNext; m = 4 counts. At most 1e-6 false failures per case (module docstring)."""
    bad, doc_ids, partner, is_next = _nsp_draws(inputs, outputs)
    if bad:
        return bad
    K = partner.size(0)
    has_next, same = _documents(doc_ids)
    others = (~same).double()  # (N, N)
    size = others.sum(dim=1).clamp(min=1)  # |O_i|
    c = _level(4)
    # 1. coins of one call: consecutive sentences that have a next one
    coins = is_next[:, has_next]  # (K, n)
    a, b = _pair_up(coins.size(1))
    agree = (coins[:, a] == coins[:, b]).flatten()
    found = _agreement("diagnosis.coin_shared_across_sentences", agree, torch.full((agree.numel(),), 0.5), c)
    if found:
        return found
    # 2. partners of one call: consecutive NotNext sentences
    agree_all, rate_all = [], []
    for k in range(K):
        index = (~is_next[k]).nonzero().flatten()
        a, b = _pair_up(index.numel())
        i, j = index[a], index[b]
        agree_all.append(partner[k, i] == partner[k, j])
        rate_all.append((others[i] * others[j]).sum(dim=1) / (size[i] * size[j]))
    found = _agreement("diagnosis.partner_shared_across_sentences", torch.cat(agree_all), torch.cat(rate_all), c)
    if found:
        return found
    # 3. across calls: draws 2k and 2k+1
    a, b = _pair_up(K)
    agree = (coins[a] == coins[b]).flatten()
    found = _agreement("diagnosis.draws_dependent", agree, torch.full((agree.numel(),), 0.5), c)
    if found:
        return found
    both = ~is_next[a] & ~is_next[b]  # (P, N)
    agree = (partner[a] == partner[b])[both]
    rate = (1 / size).expand_as(both)[both]
    return _agreement("diagnosis.draws_dependent", agree, rate, c)


def nsp_repeats(inputs: Mapping[str, torch.Tensor], outputs: Mapping[str, torch.Tensor],
                args: Mapping[str, Any]) -> Verdict:
    """No two draws are equal: sentence i agrees in two draws with probability 1/4 + 1/(4 |O_i|) when it has a next
    sentence, else 1/|O_i| (module docstring, (b))."""
    bad, doc_ids, partner, is_next = _nsp_draws(inputs, outputs)
    if bad:
        return bad
    return _repeats(torch.cat([partner, is_next.long()], dim=1), _nsp_log_p_equal(doc_ids))


def _nsp_log_p_equal(doc_ids: torch.Tensor) -> float:
    """log P(two independent draws agree): sentence i agrees with probability 1/4 + 1/(4 |O_i|) when it has a next
    sentence, else 1/|O_i|."""
    has_next, same = _documents(doc_ids)
    size = (~same).sum(dim=1).double().clamp(min=1)
    per_sentence = torch.where(has_next, 0.25 + 0.25 / size, 1 / size)
    return float(torch.log(per_sentence).sum())


def sample_independence(inputs: Mapping[str, torch.Tensor], outputs: Mapping[str, torch.Tensor],
                        args: Mapping[str, Any]) -> Verdict:
    """Each row gets its own draw, in each call anew (temperature > 0). Equal tokens (rate Σ_v P(v)², P the row's
    softmax(logits / T)) in disjoint pairs of equal rows of one call, and of draws 2k and 2k+1 (same row); m = 2
    counts. At most 1e-6 false failures per case (module docstring)."""
    temperature = float(args.get("temperature", 1.0))
    if temperature == 0:
        return None
    logits = inputs["logits"].cpu().double()
    bad = _check_draws(outputs, ("out",), (logits.size(0),), (torch.long,))
    if bad:
        return bad
    drawn = outputs["out"].cpu()
    K = drawn.size(0)
    rows, group = torch.unique(logits, dim=0, return_inverse=True)
    collide = (torch.softmax(rows / temperature, dim=-1) ** 2).sum(dim=-1)  # (G,)
    c = _level(2)
    # 1. equal rows of one call: the members of each group, paired in order
    agree_all, rate_all = [], []
    for g in range(rows.size(0)):
        members = (group == g).nonzero().flatten()
        a, b = _pair_up(members.numel())
        agree_all.append((drawn[:, members[a]] == drawn[:, members[b]]).flatten())
        rate_all.append(collide[g].expand(K * a.numel()))
    found = _agreement("diagnosis.uniform_shared_across_rows", torch.cat(agree_all), torch.cat(rate_all), c)
    if found:
        return found
    # 2. across calls
    a, b = _pair_up(K)
    agree = (drawn[a] == drawn[b]).flatten()
    return _agreement("diagnosis.draws_dependent", agree, collide[group].expand(a.numel(), -1).flatten(), c)


def sample_repeats(inputs: Mapping[str, torch.Tensor], outputs: Mapping[str, torch.Tensor],
                   args: Mapping[str, Any]) -> Verdict:
    """No two draws are equal (temperature > 0): row b agrees in two draws with probability Σ_v P_b(v)² (module
    docstring, (b))."""
    temperature = float(args.get("temperature", 1.0))
    if temperature == 0:
        return None
    logits = inputs["logits"].cpu().double()
    bad = _check_draws(outputs, ("out",), (logits.size(0),), (torch.long,))
    if bad:
        return bad
    return _repeats(outputs["out"].cpu(), _sample_log_p_equal(logits, temperature))


def _sample_log_p_equal(logits: torch.Tensor, temperature: float) -> float:
    """log P(two independent draws agree): row b agrees with probability Σ_v P_b(v)²."""
    collide = (torch.softmax(logits.double() / temperature, dim=-1) ** 2).sum(dim=-1)  # (B,)
    return float(torch.log(collide).sum())


# --- the generator given ---------------------------------------------------------------------------

def _generator_moved(outputs: Mapping[str, torch.Tensor]) -> Verdict:
    """Every call changed the state of the generator it was given (``gen_moved``, one bool per call). Exact: a call
    that draws from it always changes its state, so a correct implementation never fails (module docstring)."""
    moved = outputs.get("gen_moved")
    if not isinstance(moved, torch.Tensor) or moved.numel() == 0:
        return None  # no observation (the structure check already requires it of a draws case)
    moved = moved.cpu().bool().flatten()
    if bool(moved.all()):
        return None
    return "diagnosis.generator_not_drawn", {"calls": int((~moved).sum()), "total": moved.numel()}


def _advanced(outputs: Mapping[str, torch.Tensor], names: tuple[str, ...], log_p_equal: float) -> Verdict:
    """The call whose generator was seeded like draw 0's and advanced first (``advanced``) does not give draw 0's
    result: independent draws are equal with probability exp(log_p_equal), and the judge speaks only where that is
    at most ALPHA (module docstring)."""
    if not _speaks(1, log_p_equal):
        return None
    for name in names:
        drawn, advanced = outputs.get(name), outputs.get("advanced" + name.removeprefix("out"))
        if not isinstance(drawn, torch.Tensor) or not isinstance(advanced, torch.Tensor) or drawn.dim() < 1:
            return None
        first = drawn[0].cpu()
        if first.shape != advanced.shape or first.dtype != advanced.dtype or not torch.equal(first, advanced.cpu()):
            return None
    return "diagnosis.draws_from_initial_seed", {}


def mlm_generator(inputs: Mapping[str, torch.Tensor], outputs: Mapping[str, torch.Tensor],
                  args: Mapping[str, Any]) -> Verdict:
    """The masking draws from the generator given: every call changes its state (exact), and a generator seeded like
    draw 0's but advanced first gives another result (P(equal) as in mlm_repeats; at most 1e-6 false failures per
    case, module docstring)."""
    _, _, p = _mlm_args(args)
    return _generator_moved(outputs) or _advanced(outputs, ("out.0", "out.1"),
                                                  _mlm_log_p_equal(inputs["special_mask"].cpu().bool(), p))


def nsp_generator(inputs: Mapping[str, torch.Tensor], outputs: Mapping[str, torch.Tensor],
                  args: Mapping[str, Any]) -> Verdict:
    """The pairs are drawn from the generator given: every call changes its state (exact), and a generator seeded
    like draw 0's but advanced first gives other pairs (P(equal) as in nsp_repeats; at most 1e-6 false failures per
    case, module docstring)."""
    return _generator_moved(outputs) or _advanced(outputs, ("out.0", "out.1"), _nsp_log_p_equal(inputs["doc_ids"].cpu()))


def sample_generator(inputs: Mapping[str, torch.Tensor], outputs: Mapping[str, torch.Tensor],
                     args: Mapping[str, Any]) -> Verdict:
    """At temperature > 0 the tokens are drawn from the generator given: every call changes its state (exact), and a
    generator seeded like draw 0's but advanced first gives other tokens (P(equal) as in sample_repeats; at most
    1e-6 false failures per case, module docstring). At temperature 0 nothing is drawn and nothing is asked."""
    temperature = float(args.get("temperature", 1.0))
    if temperature == 0:
        return None
    return _generator_moved(outputs) or _advanced(outputs, ("out",),
                                                  _sample_log_p_equal(inputs["logits"].cpu(), temperature))


JUDGES = {
    "mlm_mask_tokens": (mlm_invariants, mlm_repeats, mlm_generator, mlm_fixed_count, mlm_rates, mlm_independence),
    "nsp_sample": (nsp_invariants, nsp_repeats, nsp_generator, nsp_rates, nsp_independence),
    "sample_next": (sample_invariants, sample_repeats, sample_generator, sample_distribution, sample_independence),
}
"""The judges of each stochastic exercise, in the order to run them (the first verdict is the one to report)."""
