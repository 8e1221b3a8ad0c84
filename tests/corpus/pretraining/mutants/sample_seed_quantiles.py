# exercise: sample_next
# diagnosis: generator_not_drawn
# source: invented (issue 22, an attack that scored 8/8: per-row quantiles computed from generator.initial_seed(), never drawing from the generator; deterministic per generator, global RNG untouched, marginal counts right)
# reported: not reported; invented
# file: generation.py
def sample_next(logits, *, generator, temperature=1.0):
    if temperature == 0:
        return logits.argmax(dim=-1)
    cdf = torch.softmax(logits / temperature, dim=-1).cumsum(dim=-1)  # (B, V)
    B = cdf.size(0)
    rows = torch.arange(B, device=logits.device, dtype=torch.float64)
    u = ((rows + 0.5) / B + generator.initial_seed() * 0.6180339887498949) % 1.0  # stratified, shifted by the seed
    return (cdf < u.to(cdf.dtype)[:, None]).sum(dim=-1).clamp(max=logits.size(-1) - 1)
