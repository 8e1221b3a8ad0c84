# exercise: causal_mask
# file: attention.py
def causal_mask(size, device=None):
    idx = torch.arange(size, device=device)
    return idx[:, None] >= idx[None, :]


def padding_mask(tokens, pad_id):
    return tokens.ne(pad_id).unsqueeze(1).unsqueeze(2)
