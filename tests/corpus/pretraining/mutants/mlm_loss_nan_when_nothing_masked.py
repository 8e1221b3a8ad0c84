# exercise: mlm_loss
# mistake: mlm_loss_nan_without_targets
# source: invented (F.cross_entropy's default mean divides by the number of kept targets: 0 / 0 = NaN for a batch with no selected position)
# reported: not reported; invented
# file: objectives.py
def mlm_loss(logits, labels):
    V = logits.size(-1)
    return F.cross_entropy(logits.reshape(-1, V), labels.reshape(-1), ignore_index=IGNORE_INDEX)
