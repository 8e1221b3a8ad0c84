# exercise: sinusoidal_positional_encoding
# diagnosis: pe_columns
# source: https://github.com/zju3dv/LoFTR/issues/41 (zju3dv/LoFTR#41)
# reported: div_term was written as exp(arange * (-log(10000.0) / d_model//2)); by precedence the floor division applies to the whole factor, which becomes -1, so the frequencies are exp(-2i) instead of 10000^(-2i/d)
# file: positional.py
import math


def sinusoidal_positional_encoding(max_len, d_model, base=10000.0):
    if d_model % 2 != 0:
        raise ValueError("d_model must be even")
    pe = torch.zeros(max_len, d_model)
    position = torch.arange(max_len).float().unsqueeze(1)
    div_term = torch.exp(torch.arange(0, d_model, 2).float() * (-math.log(base) / d_model // 2))
    pe[:, 0::2] = torch.sin(position * div_term)
    pe[:, 1::2] = torch.cos(position * div_term)
    return pe
