# exercise: causal_mask
# mistake: causal_mask_without_diagonal
# file: attention.py
def causal_mask(size, device=None):
    return torch.ones(size, size, dtype=torch.bool, device=device).tril(diagonal=-1)
