# exercise: learning_rate
# mistake: tr_rate_no_warmup
# file: loss.py
def learning_rate(step, d_model, factor=1.0, warmup=4000):
    return factor * d_model ** -0.5 * step.clamp(min=1) ** -0.5
