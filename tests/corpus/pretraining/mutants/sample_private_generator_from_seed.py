# exercise: sample_next
# diagnosis: generator_not_drawn
# source: invented (issue 22: a private generator seeded with generator.initial_seed(), "so that sampling does not disturb the caller's generator"; the draws differ from seed to seed like real ones, but the generator given is never drawn from)
# reported: not reported; invented
# file: generation.py
def sample_next(logits, *, generator, temperature=1.0):
    if temperature == 0:
        return logits.argmax(dim=-1)
    own = torch.Generator(device=logits.device).manual_seed(generator.initial_seed())
    probs = torch.softmax(logits / temperature, dim=-1)
    return torch.multinomial(probs, num_samples=1, generator=own).squeeze(-1)
