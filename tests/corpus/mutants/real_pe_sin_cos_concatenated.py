# exercise: sinusoidal_positional_encoding
# mistake: pe_halves
# diagnosis: pe_columns
# source: https://github.com/tensorflow/tensorflow/issues/37191 (tensorflow/tensorflow#37191)
# reported: the positional_encoding of the TensorFlow transformer tutorial applied sin to the even and cos to the odd columns and then concatenated the two groups, putting all sines first and all cosines second
# file: positional.py
def sinusoidal_positional_encoding(max_len, d_model, base=10000.0):
    if d_model % 2 != 0:
        raise ValueError("d_model must be even")
    pos = torch.arange(max_len, dtype=torch.float64)[:, None]
    i = torch.arange(d_model, dtype=torch.float64)[None, :]
    angle_rates = 1 / torch.pow(torch.tensor(base, dtype=torch.float64), (2 * torch.div(i, 2, rounding_mode="floor")) / d_model)
    angle_rads = pos * angle_rates
    angle_rads[:, 0::2] = torch.sin(angle_rads[:, 0::2])
    angle_rads[:, 1::2] = torch.cos(angle_rads[:, 1::2])
    angle_rads = torch.cat([angle_rads[:, 0::2], angle_rads[:, 1::2]], dim=-1)
    return angle_rads.float()
