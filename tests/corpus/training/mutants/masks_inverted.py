# exercise: make_masks
# mistake: tr_masks_inverted
# (torch.nn's convention, True = blocked, where the assignment's is True = may attend)
# file: batch.py
def make_masks(src, tgt, pad=0):
    src_mask = (src == pad).unsqueeze(-2)
    size = tgt.size(1)
    future = torch.triu(torch.ones(size, size, dtype=torch.bool, device=tgt.device), diagonal=1)
    return src_mask, (tgt == pad).unsqueeze(-2) | future
