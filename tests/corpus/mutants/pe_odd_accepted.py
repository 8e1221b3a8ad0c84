# exercise: sinusoidal_positional_encoding
# mistake: pe_odd_d_model_accepted
# file: positional.py
def sinusoidal_positional_encoding(max_len, d_model, base=10000.0):
    position = torch.arange(max_len, dtype=torch.float64).unsqueeze(1)
    two_i = torch.arange(0, d_model, 2, dtype=torch.float64)
    angle = position / (base ** (two_i / d_model))
    pe = torch.zeros(max_len, d_model, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle[:, : d_model // 2])
    return pe.float()
