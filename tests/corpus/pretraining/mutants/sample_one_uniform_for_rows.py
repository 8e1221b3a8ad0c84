# exercise: sample_next
# diagnosis: draws_repeat
# source: invented (issue 22: inverse-CDF sampling with one uniform number for the whole batch, torch.rand(1), so every row with the same logits draws the same token; it scored 4/8)
# reported: not reported; invented
# file: generation.py
def sample_next(logits, *, generator, temperature=1.0):
    if temperature == 0:
        return logits.argmax(dim=-1)
    cdf = torch.softmax(logits / temperature, dim=-1).cumsum(dim=-1)  # (B, V)
    u = torch.rand((1, 1), generator=generator, device=logits.device, dtype=cdf.dtype)  # one for every row
    return (cdf < u).sum(dim=-1).clamp(max=logits.size(-1) - 1)
