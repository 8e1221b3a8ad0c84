# exercise: sinusoidal_positional_encoding
# file: positional.py
import math


def sinusoidal_positional_encoding(max_len, d_model, base=10000.0):
    if d_model % 2:
        raise ValueError(f"odd d_model {d_model}")
    rows = []
    for pos in range(max_len):
        row = []
        for i in range(d_model // 2):
            angle = pos / base ** (2 * i / d_model)
            row += [math.sin(angle), math.cos(angle)]
        rows.append(row)
    return torch.tensor(rows, dtype=torch.float32).reshape(max_len, d_model)
