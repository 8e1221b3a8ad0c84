# exercise: context_vector
# mistake: s2s_context_unweighted
# invented: the states summed without their weights
# file: attention.py
def context_vector(weights, encoder_states):
    return encoder_states.sum(dim=1)
