# exercise: causal_mask
# mistake: causal_mask_upper
# diagnosis: mask_inverted
# source: https://github.com/marin-community/levanter/pull/102 (marin-community/levanter#102)
# reported: the docs spelled the tril causal mask out as a loop setting mask[i, j] where j >= i, which is the upper triangle; the fix changed it to j <= i
# file: attention.py
def causal_mask(size, device=None):
    mask = torch.zeros(size, size, dtype=torch.bool, device=device)
    for i in range(size):
        for j in range(size):
            if j >= i:
                mask[i, j] = True
    return mask
