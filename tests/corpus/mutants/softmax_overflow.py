# exercise: masked_softmax
# mistake: softmax_overflow
# file: attention.py
def masked_softmax(scores, mask=None, dim=-1):
    e = torch.exp(scores)
    if mask is not None:
        e = e * mask
    return e / e.sum(dim=dim, keepdim=True)
