# exercise: sample_next
# diagnosis: draws_from_initial_seed
# source: invented (issue 22's seed-quantile attack made to pass a check of the generator's state: one value is drawn from the generator and thrown away, and the per-row quantiles are still a function of generator.initial_seed() alone)
# reported: not reported; invented
# file: generation.py
def sample_next(logits, *, generator, temperature=1.0):
    if temperature == 0:
        return logits.argmax(dim=-1)
    torch.rand(1, generator=generator, device=logits.device)  # the generator's state moves; nothing depends on it
    cdf = torch.softmax(logits / temperature, dim=-1).cumsum(dim=-1)  # (B, V)
    B = cdf.size(0)
    rows = torch.arange(B, device=logits.device, dtype=torch.float64)
    u = ((rows + 0.5) / B + generator.initial_seed() * 0.6180339887498949) % 1.0
    return (cdf < u.to(cdf.dtype)[:, None]).sum(dim=-1).clamp(max=logits.size(-1) - 1)
