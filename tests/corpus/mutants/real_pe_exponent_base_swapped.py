# exercise: sinusoidal_positional_encoding
# diagnosis: pe_columns
# source: https://github.com/ivanvovk/WaveGrad/issues/12 (ivanvovk/WaveGrad#12)
# reported: the frequencies were computed as exponents ** 1e-4 instead of 1e-4 ** exponents (base and exponent swapped), so all dimensions get nearly the same frequency
# file: positional.py
def sinusoidal_positional_encoding(max_len, d_model, base=10000.0):
    if d_model % 2 != 0:
        raise ValueError("d_model must be even")
    position = torch.arange(max_len, dtype=torch.float64).unsqueeze(1)
    exponents = torch.arange(0, d_model, 2, dtype=torch.float64) / d_model
    freqs = exponents ** (1.0 / base)  # should be (1 / base) ** exponents
    angle = position * freqs
    pe = torch.zeros(max_len, d_model, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle)
    return pe.float()
