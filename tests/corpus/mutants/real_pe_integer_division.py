# exercise: sinusoidal_positional_encoding
# diagnosis: pe_columns
# source: https://github.com/Kyubyong/transformer/pull/81 (Kyubyong/transformer#81)
# reported: the exponent (i - i % 2) / E is an integer division under Python 2, so it is 0 for every column and every column gets the angle pos itself
# file: positional.py
def sinusoidal_positional_encoding(max_len, d_model, base=10000.0):
    if d_model % 2 != 0:
        raise ValueError("d_model must be even")
    pos = torch.arange(max_len, dtype=torch.float64).unsqueeze(1)
    i = torch.arange(d_model)
    exponent = torch.div(i - i % 2, d_model, rounding_mode="floor")  # int / int as Python 2 evaluates it
    position_enc = pos / base ** exponent.double()
    position_enc[:, 0::2] = torch.sin(position_enc[:, 0::2])
    position_enc[:, 1::2] = torch.cos(position_enc[:, 1::2])
    return position_enc.float()
