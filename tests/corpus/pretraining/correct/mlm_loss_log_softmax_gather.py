# exercise: mlm_loss
# file: objectives.py
def mlm_loss(logits, labels):
    keep = labels != -100  # (B, L)
    log_probs = torch.log_softmax(logits, dim=-1)  # (B, L, V)
    picked = log_probs.gather(-1, labels.clamp(min=0).unsqueeze(-1)).squeeze(-1)  # (B, L)
    total = -(picked * keep).sum()
    count = keep.sum()
    return total / count if count > 0 else total * 0.0
