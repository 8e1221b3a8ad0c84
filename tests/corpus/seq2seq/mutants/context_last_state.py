# exercise: context_vector
# mistake: s2s_context_last_state
# invented: the plain seq2seq context (the encoder's last state) kept where attention's weighted sum belongs
# file: attention.py
def context_vector(weights, encoder_states):
    return encoder_states[:, -1]
