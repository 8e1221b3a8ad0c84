# exercise: mlm_loss
# mistake: mlm_loss_mean_over_all_positions
# source: invented (summing the per-position losses and dividing by every position, ignored ones included, shrinks the loss by the share of selected positions)
# reported: not reported; invented
# file: objectives.py
def mlm_loss(logits, labels):
    V = logits.size(-1)
    losses = F.cross_entropy(logits.reshape(-1, V), labels.reshape(-1), ignore_index=IGNORE_INDEX, reduction="none")
    return losses.sum() / labels.numel()
