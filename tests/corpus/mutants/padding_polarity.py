# exercise: padding_mask
# mistake: padding_mask_polarity
# file: attention.py
def padding_mask(tokens, pad_id):
    return (tokens == pad_id)[:, None, None, :]
