# exercise: causal_mask
# diagnosis: mask_inverted
# source: https://github.com/hkproj/pytorch-transformer/issues/19 (hkproj/pytorch-transformer#19)
# reported: translate.py built the decoder mask as triu(ones, diagonal=1) and used it directly as the keep-mask (without == 0, as dataset.py did), so every position could see only the future and not itself
# file: attention.py
def causal_mask(size, device=None):
    return torch.triu(torch.ones(size, size, device=device), diagonal=1).bool()
