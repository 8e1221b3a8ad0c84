# exercise: causal_mask
# mistake: causal_mask_upper
# file: attention.py
def causal_mask(size, device=None):
    return torch.triu(torch.ones(size, size, device=device)).bool()
