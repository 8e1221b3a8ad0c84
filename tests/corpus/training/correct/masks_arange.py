# exercise: make_masks
# file: batch.py
def make_masks(src, tgt, pad=0):
    positions = torch.arange(tgt.size(1), device=tgt.device)
    causal = positions[None, :] <= positions[:, None]
    keys = tgt.ne(pad).unsqueeze(1)
    return src.ne(pad).unsqueeze(1), keys & causal.unsqueeze(0)
