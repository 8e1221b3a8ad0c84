# exercise: sample_next
# file: generation.py
def sample_next(logits, *, generator, temperature=1.0):
    if temperature == 0:
        return logits.argmax(dim=-1)
    probs = torch.softmax(logits.double() / temperature, dim=-1)  # (B, V)
    cdf = probs.cumsum(dim=-1)
    u = torch.rand(logits.size(0), 1, generator=generator, device=logits.device, dtype=torch.float64) * cdf[:, -1:]
    index = torch.searchsorted(cdf, u, right=True).squeeze(-1)
    return index.clamp(max=logits.size(-1) - 1)
