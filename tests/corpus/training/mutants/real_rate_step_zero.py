# exercise: learning_rate
# source: https://github.com/EleutherAI/gpt-neox/pull/1379 (EleutherAI/gpt-neox#1379)
# reported: the warm-up gave a learning rate of 0 at step 0, so the first update changed nothing; step 0 must count as step 1
# file: loss.py
def learning_rate(step, d_model, factor=1.0, warmup=4000):
    return factor * d_model ** -0.5 * torch.minimum(step ** -0.5, step * warmup ** -1.5)
