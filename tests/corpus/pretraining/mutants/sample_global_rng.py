# exercise: sample_next
# diagnosis: generator_not_drawn
# source: invented (torch.multinomial without generator= draws from the global random state: the same generator no longer gives the same tokens)
# reported: not reported; invented
# file: generation.py
def sample_next(logits, *, generator, temperature=1.0):
    if temperature == 0:
        return logits.argmax(dim=-1)
    probs = torch.softmax(logits / temperature, dim=-1)
    return torch.multinomial(probs, num_samples=1).squeeze(-1)
