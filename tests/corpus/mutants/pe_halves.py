# exercise: sinusoidal_positional_encoding
# mistake: pe_halves
# file: positional.py
def sinusoidal_positional_encoding(max_len, d_model, base=10000.0):
    if d_model % 2 != 0:
        raise ValueError("odd d_model")
    position = torch.arange(max_len, dtype=torch.float64).unsqueeze(1)
    two_i = torch.arange(0, d_model, 2, dtype=torch.float64)
    angle = position / (base ** (two_i / d_model))
    pe = torch.zeros(max_len, d_model, dtype=torch.float64)
    pe = torch.cat([torch.sin(angle), torch.cos(angle)], dim=1)
    return pe.float()
