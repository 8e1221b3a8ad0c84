# exercise: make_masks
# mistake: tr_masks_tgt_padding_ignored
# file: batch.py
def make_masks(src, tgt, pad=0):
    src_mask = (src != pad).unsqueeze(-2)
    size = tgt.size(1)
    subsequent = torch.triu(torch.ones(size, size, dtype=torch.bool, device=tgt.device), diagonal=1) == 0
    tgt_mask = torch.ones_like(tgt, dtype=torch.bool).unsqueeze(-2) & subsequent
    return src_mask, tgt_mask
