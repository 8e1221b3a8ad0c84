# exercise: attention_weights
# mistake: s2s_mask_ignored
# source: https://github.com/MaximumEntropy/Seq2Seq-PyTorch/issues/6 (MaximumEntropy/Seq2Seq-PyTorch#6; also pytorch/tutorials#593, tensorflow/tensorflow#512)
# reported: the padding mask was computed but never applied to the attention scores, so the decoder attends to pad tokens
# file: attention.py
def attention_weights(scores, src_mask=None):
    return torch.softmax(scores, dim=-1)
