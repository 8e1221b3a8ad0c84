# exercise: causal_lm_loss
# file: objectives.py
import torch.nn.functional as F


def causal_lm_loss(logits, tokens, pad_id=None):
    V = logits.size(-1)
    predictions = logits[:, :-1].reshape(-1, V)
    targets = tokens[:, 1:].reshape(-1)
    keep = torch.ones_like(targets, dtype=torch.bool) if pad_id is None else targets != pad_id
    if not bool(keep.any()):
        return logits.sum() * 0.0
    return F.cross_entropy(predictions[keep], targets[keep])
