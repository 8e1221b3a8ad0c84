# exercise: make_masks
# source: https://github.com/harvardnlp/annotated-transformer/issues/137 (harvardnlp/annotated-transformer#137)
# reported: a reader proposed building the target's padding mask with unsqueeze(-1), which hides the padded rows (queries) instead of the padded columns (keys)
# file: batch.py
def make_masks(src, tgt, pad=0):
    src_mask = (src != pad).unsqueeze(-2)
    size = tgt.size(1)
    subsequent = torch.triu(torch.ones(size, size, dtype=torch.bool, device=tgt.device), diagonal=1) == 0
    tgt_mask = (tgt != pad).unsqueeze(-1) & subsequent
    return src_mask, tgt_mask
