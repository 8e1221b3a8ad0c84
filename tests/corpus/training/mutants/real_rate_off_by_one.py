# exercise: learning_rate
# mistake: tr_rate_off_by_one
# source: https://github.com/tugstugi/pytorch-saltnet/issues/7 (tugstugi/pytorch-saltnet#7)
# reported: the Noam scheduler's steps were counted from the wrong origin; the fix proposed evaluating the formula at step + 1
# file: loss.py
def learning_rate(step, d_model, factor=1.0, warmup=4000):
    step = step + 1
    return factor * d_model ** -0.5 * torch.minimum(step ** -0.5, step * warmup ** -1.5)
