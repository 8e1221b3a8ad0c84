# exercise: padding_mask
# mistake: padding_mask_polarity
# diagnosis: mask_inverted
# source: https://github.com/mlwithme/TransformerTranslation/issues/2 (mlwithme/TransformerTranslation#2)
# reported: the reporter was confused about which polarity masked_fill expects: the code builds padding_mask = (src == PAD_IDX), True on padding (nn.MultiheadAttention's key_padding_mask convention), while the blog's examples used False for the masked positions
# file: attention.py
def padding_mask(tokens, pad_id):
    return (tokens == pad_id)[:, None, None, :]
