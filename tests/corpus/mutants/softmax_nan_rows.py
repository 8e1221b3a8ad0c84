# exercise: masked_softmax
# mistake: fully_masked_rows_nan
# file: attention.py
def masked_softmax(scores, mask=None, dim=-1):
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    return torch.softmax(scores, dim=dim)
