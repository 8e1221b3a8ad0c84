# exercise: padding_mask
# mistake: padding_mask_not_broadcastable
# file: attention.py
def padding_mask(tokens, pad_id):
    return tokens != pad_id
