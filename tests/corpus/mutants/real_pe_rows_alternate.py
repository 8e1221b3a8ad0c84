# exercise: sinusoidal_positional_encoding
# diagnosis: pe_not_sinusoid
# source: https://github.com/BrianPulfer/PapersReimplementations/issues/9 (BrianPulfer/PapersReimplementations#9)
# reported: sinusoidal_embedding used the exponent 2j/d for every column j and alternated sin/cos over the positions (rows, with 1 - sin_mask as the odd-row index) instead of over the dimensions; embeddings @ embeddings.T looked nothing like the expected picture
# file: positional.py
def sinusoidal_positional_encoding(max_len, d_model, base=10000.0):
    if d_model % 2 != 0:
        raise ValueError("d_model must be even")
    embedding = torch.tensor([[i / base ** (2 * j / d_model) for j in range(d_model)] for i in range(max_len)])
    sin_mask = torch.arange(0, max_len, 2)
    embedding[sin_mask] = torch.sin(embedding[sin_mask])
    embedding[1 - sin_mask] = torch.cos(embedding[sin_mask])
    return embedding
