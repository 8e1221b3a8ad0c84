# exercise: attention_weights
# mistake: s2s_softmax_over_batch
# source: https://github.com/PetrochukM/PyTorch-NLP/issues/2 (PetrochukM/PyTorch-NLP#2)
# reported: the attention's nn.Softmax ran over dim 0 (the batch), so with one sequence every weight was 1
# file: attention.py
def attention_weights(scores, src_mask=None):
    if src_mask is not None:
        scores = scores.masked_fill(~src_mask, float("-inf"))
    return torch.softmax(scores, dim=0)
