# exercise: masked_softmax
# mistake: fully_masked_rows_uniform
# file: attention.py
def masked_softmax(scores, mask=None, dim=-1):
    if mask is not None:
        scores = scores.masked_fill(mask == 0, -1e9)
    return torch.softmax(scores, dim=dim)
