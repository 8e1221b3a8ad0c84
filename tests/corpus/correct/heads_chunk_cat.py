# exercise: combine_heads
# file: multihead.py
def split_heads(x, num_heads):
    return torch.stack(x.chunk(num_heads, dim=-1), dim=1)


def combine_heads(x):
    return torch.cat(x.unbind(dim=1), dim=-1)
