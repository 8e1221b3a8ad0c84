# exercise: causal_mask
# file: attention.py
def causal_mask(size, device=None):
    return torch.tril(torch.ones(size, size)).bool()  # created on the CPU whatever device says
