# exercise: scaled_dot_product_attention
# diagnosis: default_device
# source: https://github.com/pytorch/pytorch/pull/178684 (pytorch/pytorch#178684; the same line in InfiniTensor/llaisys#11)
# reported: the reference SDPA in the docstring built temp_mask with torch.ones(L, S, dtype=torch.bool).tril() and no device, while attn_bias was made on query.device; masked_fill_ then failed on CUDA with a CPU mask, and on the CPU nothing showed
# file: attention.py
def scaled_dot_product_attention(q, k, v, mask=None):
    L, S = q.size(-2), k.size(-2)
    attn_bias = torch.zeros(L, S, dtype=q.dtype, device=q.device)
    if mask is None:
        temp_mask = torch.ones(L, S, dtype=torch.bool)
        attn_bias.masked_fill_(temp_mask.logical_not(), float("-inf"))
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1)) + attn_bias
    weights = masked_softmax(scores, mask)
    return weights @ v, weights
