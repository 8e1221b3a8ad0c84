# exercise: make_masks
# source: https://github.com/pytorch/pytorch/issues/29546 (pytorch/pytorch#29546)
# reported: the look-ahead mask came out flipped: each position saw the future and not the past
# file: batch.py
def make_masks(src, tgt, pad=0):
    src_mask = (src != pad).unsqueeze(-2)
    size = tgt.size(1)
    subsequent = torch.tril(torch.ones(size, size, dtype=torch.bool, device=tgt.device), diagonal=-1) == 0
    tgt_mask = (tgt != pad).unsqueeze(-2) & subsequent
    return src_mask, tgt_mask
