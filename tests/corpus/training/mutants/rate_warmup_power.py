# exercise: learning_rate
# mistake: tr_rate_warmup_power
# file: loss.py
def learning_rate(step, d_model, factor=1.0, warmup=4000):
    step = step.clamp(min=1)
    return factor * d_model ** -0.5 * torch.minimum(step ** -0.5, step * warmup ** -0.5)
