# exercise: padding_mask
# diagnosis: mask_axis
# mistake: padding_mask_query_axis
# source: https://github.com/hyunwoongko/transformer/pull/40 (hyunwoongko/transformer#40)
# reported: the pad mask was built with (ids != pad).unsqueeze(1).unsqueeze(3), shape (batch, 1, seq_len, 1), so it masks query rows instead of key columns and broadcasts a padded query's False across all keys
# file: attention.py
def padding_mask(tokens, pad_id):
    return (tokens != pad_id).unsqueeze(1).unsqueeze(3)
