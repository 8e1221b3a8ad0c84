# exercise: context_vector
# file: attention.py
def context_vector(weights, encoder_states):
    return (weights.unsqueeze(-1) * encoder_states).sum(dim=1)
