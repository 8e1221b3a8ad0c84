# exercise: context_vector
# file: attention.py
def context_vector(weights, encoder_states):
    return torch.einsum("bs,bsd->bd", weights, encoder_states)
