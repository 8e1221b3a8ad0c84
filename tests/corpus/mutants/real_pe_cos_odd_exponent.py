# exercise: sinusoidal_positional_encoding
# diagnosis: pe_columns
# source: https://github.com/maxjcohen/transformer/issues/62 (maxjcohen/transformer#62)
# reported: generate_original_PE took the cos exponents from the odd indices 1, 3, 5, ... instead of the pair index 2i, and used 1000 as the base instead of 10000
# file: positional.py
def sinusoidal_positional_encoding(max_len, d_model, base=10000.0):
    if d_model % 2 != 0:
        raise ValueError("d_model must be even")
    pos = torch.arange(max_len).unsqueeze(1)
    pe = torch.zeros(max_len, d_model)
    pe[:, 0::2] = torch.sin(pos / torch.pow(1000, torch.arange(0, d_model, 2, dtype=torch.float32) / d_model))
    pe[:, 1::2] = torch.cos(pos / torch.pow(1000, torch.arange(1, d_model, 2, dtype=torch.float32) / d_model))
    return pe
