# exercise: sinusoidal_positional_encoding
# mistake: pe_parity_by_position
# file: positional.py
def sinusoidal_positional_encoding(max_len, d_model, base=10000.0):
    if d_model % 2 != 0:
        raise ValueError("odd d_model")
    position = torch.arange(max_len, dtype=torch.float64).unsqueeze(1)
    two_i = torch.arange(0, d_model, 2, dtype=torch.float64)
    angle = position / (base ** (two_i / d_model))
    pe = torch.zeros(max_len, d_model, dtype=torch.float64)
    full = position / (base ** (torch.arange(d_model, dtype=torch.float64) // 2 * 2 / d_model))
    pe[0::2, :] = torch.sin(full[0::2, :])
    pe[1::2, :] = torch.cos(full[1::2, :])
    return pe.float()
