# exercise: learning_rate
# file: loss.py
def learning_rate(step, d_model, factor=1.0, warmup=4000):
    step = torch.where(step == 0, torch.ones_like(step), step)
    warming = step < warmup
    value = torch.where(warming, step / warmup ** 1.5, step.rsqrt())
    return factor / d_model ** 0.5 * value
