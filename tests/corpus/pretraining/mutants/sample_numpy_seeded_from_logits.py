# exercise: sample_next
# diagnosis: draws_repeat
# source: invented (NumPy's generator instead of the one passed in, seeded from the logits: the same tokens on every call)
# reported: not reported; invented
# file: generation.py
def sample_next(logits, *, generator, temperature=1.0):
    import numpy as np

    if temperature == 0:
        return logits.argmax(dim=-1)
    probs = torch.softmax(logits / temperature, dim=-1).double().cpu().numpy()
    rng = np.random.default_rng(abs(int(np.nan_to_num(logits.detach().cpu().numpy(), neginf=0.0).sum() * 1000)))
    drawn = [int(rng.choice(probs.shape[1], p=row / row.sum())) for row in probs]
    return torch.tensor(drawn, dtype=torch.long, device=logits.device)
