# exercise: sample_next
# source: https://github.com/karpathy/nanoGPT/issues/738 (karpathy/nanoGPT#738; also #546, google-deepmind/gemma#562)
# reported: GPT.generate divides the logits by temperature unconditionally, so temperature=0 gives inf/NaN probabilities and torch.multinomial raises instead of decoding greedily
# file: generation.py
def sample_next(logits, *, generator, temperature=1.0):
    probs = torch.softmax(logits / temperature, dim=-1)
    return torch.multinomial(probs, num_samples=1, generator=generator).squeeze(-1)
