# exercise: greedy_decode
# file: generation.py
def greedy_decode(model, prompt, max_new_tokens, eos_id=None):
    ids = prompt
    done = [False] * prompt.size(0)
    for _ in range(max_new_tokens):
        last = model(ids)[:, -1]  # (B, V)
        step = []
        for b in range(prompt.size(0)):
            token = eos_id if done[b] else int(last[b].argmax())
            done[b] = done[b] or (eos_id is not None and token == eos_id)
            step.append(token)
        ids = torch.cat([ids, torch.tensor(step, dtype=ids.dtype, device=ids.device).unsqueeze(1)], dim=1)
        if eos_id is not None and all(done):
            break
    return ids
