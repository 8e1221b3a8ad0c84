# exercise: scaled_dot_product_attention
# file: attention.py
# source: the scale computed as a float32 tensor constant, as several public Transformer implementations
#   do (e.g. `torch.sqrt(torch.FloatTensor([d_k]))` in tutorials ported from The Annotated Transformer era);
#   correct, but in the float64 case it differs from the float64 truth by ~1e-8 (issue: tolerances that
#   judge precision, not luck)
import math


def scaled_dot_product_attention(q, k, v, mask=None):
    scale = torch.sqrt(torch.tensor([q.shape[-1]], dtype=torch.float32)).to(q.device)
    scores = q @ k.transpose(-2, -1) / scale.to(q.dtype)
    weights = masked_softmax(scores, mask)
    return weights @ v, weights
