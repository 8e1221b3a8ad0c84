# exercise: make_masks
# file: batch.py
def make_masks(src, tgt, pad=0):
    size = tgt.size(1)
    causal = torch.tril(torch.ones(1, size, size, device=tgt.device)).bool()
    return (src != pad)[:, None, :], causal & (tgt != pad)[:, None, :]
