# exercise: causal_mask
# mistake: causal_mask_without_diagonal
# diagnosis: causal_diagonal
# source: https://github.com/pytorch/tutorials/issues/2250 (pytorch/tutorials#2250)
# reported: the reporter believed generate_square_subsequent_mask should use triu(..., diagonal=0) instead of diagonal=1, which would also mask the diagonal so that no position may attend to itself
# file: attention.py
def causal_mask(size, device=None):
    blocked = torch.triu(torch.ones(size, size, device=device), diagonal=0).bool()
    return ~blocked
