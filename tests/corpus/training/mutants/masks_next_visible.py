# exercise: make_masks
# mistake: tr_masks_next_visible
# file: batch.py
def make_masks(src, tgt, pad=0):
    src_mask = (src != pad).unsqueeze(-2)
    size = tgt.size(1)
    subsequent = torch.triu(torch.ones(size, size, dtype=torch.bool, device=tgt.device), diagonal=2) == 0
    tgt_mask = (tgt != pad).unsqueeze(-2) & subsequent
    return src_mask, tgt_mask
