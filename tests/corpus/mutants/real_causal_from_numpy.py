# exercise: causal_mask
# diagnosis: default_device.returned
# source: https://github.com/SamLynnEvans/Transformer/issues/17 (SamLynnEvans/Transformer#17)
# reported: the no-peek mask was built with numpy (np.triu of ones) and torch.from_numpy, so it stayed on the CPU; combining it with the target mask on CUDA raised "Expected object of device type cuda but got device type cpu"
# file: attention.py
import numpy as np


def causal_mask(size, device=None):
    upper = np.triu(np.ones((size, size)), k=1).astype("uint8")
    return torch.from_numpy(upper) == 0
