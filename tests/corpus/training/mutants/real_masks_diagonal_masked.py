# exercise: make_masks
# mistake: tr_masks_diagonal_masked
# source: https://github.com/pytorch/tutorials/issues/2250 (pytorch/tutorials#2250)
# reported: a reader asked whether the subsequent mask should use diagonal=0, which would hide each position from itself
# file: batch.py
def make_masks(src, tgt, pad=0):
    src_mask = (src != pad).unsqueeze(-2)
    size = tgt.size(1)
    subsequent = torch.triu(torch.ones(size, size, dtype=torch.bool, device=tgt.device), diagonal=0) == 0
    tgt_mask = (tgt != pad).unsqueeze(-2) & subsequent
    return src_mask, tgt_mask
