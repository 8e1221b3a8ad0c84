# exercise: causal_mask
# diagnosis: default_device.returned
# file: attention.py
def causal_mask(size, device=None):
    return torch.tril(torch.ones(size, size)).bool()  # created on the CPU whatever device says
