# exercise: masked_softmax
# file: attention.py
def masked_softmax(scores, mask=None, dim=-1):
    if mask is not None:
        scores = torch.where(mask, scores, torch.tensor(float("-inf"), dtype=scores.dtype, device=scores.device))
    weights = torch.softmax(scores, dim=dim)
    # rows with every position masked are NaN after the softmax: make them zero
    return torch.nan_to_num(weights, nan=0.0)
