# exercise: sample_next
# file: generation.py
def sample_next(logits, *, generator, temperature=1.0):
    if temperature == 0:
        return logits.argmax(dim=-1)
    # Gumbel-max: argmax(x / T + G) is distributed as softmax(x / T)
    u = torch.rand(logits.shape, generator=generator, device=logits.device, dtype=torch.float64)
    gumbel = -torch.log(-torch.log(u.clamp(min=1e-300)))
    return (logits.double() / temperature + gumbel).argmax(dim=-1)
