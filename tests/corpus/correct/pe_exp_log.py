# exercise: sinusoidal_positional_encoding
# file: positional.py
import math


def sinusoidal_positional_encoding(max_len, d_model, base=10000.0):
    if d_model % 2 == 1:
        raise ValueError("d_model must be even")
    position = torch.arange(max_len).unsqueeze(1).float()
    div_term = torch.exp(torch.arange(0, d_model, 2).float() * (-math.log(base) / d_model))
    pe = torch.zeros(max_len, d_model)
    pe[:, 0::2] = torch.sin(position * div_term)
    pe[:, 1::2] = torch.cos(position * div_term)
    return pe
