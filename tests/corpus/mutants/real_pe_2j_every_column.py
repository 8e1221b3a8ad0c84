# exercise: sinusoidal_positional_encoding
# diagnosis: pe_columns
# source: https://github.com/intro-llm/intro-llm.github.io/issues/34 (intro-llm/intro-llm.github.io#34; same form in shenweichen/DeepCTR#379 and Kyubyong/transformer#38)
# reported: the loop over even columns i used the exponent 2i/d for column i and 2(i+1)/d for column i+1, so every column j got 2j/d instead of sharing 2i/d within a sin/cos pair
# file: positional.py
import math


def sinusoidal_positional_encoding(max_len, d_model, base=10000.0):
    if d_model % 2 != 0:
        raise ValueError("d_model must be even")
    pe = torch.zeros(max_len, d_model)
    for pos in range(max_len):
        for i in range(0, d_model, 2):
            pe[pos, i] = math.sin(pos / (base ** ((2 * i) / d_model)))
            pe[pos, i + 1] = math.cos(pos / (base ** ((2 * (i + 1)) / d_model)))
    return pe
