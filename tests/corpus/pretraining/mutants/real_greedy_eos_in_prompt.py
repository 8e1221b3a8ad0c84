# exercise: greedy_decode
# mistake: greedy_eos_in_prompt_ends
# source: https://github.com/keras-team/keras-hub/pull/154 (keras-team/keras-hub#154, review of the greedy search utility)
# reported: the reviewer noted that the tests only put the end token in the prompt, so a utility that checks the prompt for the end token would pass while being wrong; an eos_id in the prompt must not end a sequence
# file: generation.py
def greedy_decode(model, prompt, max_new_tokens, eos_id=None):
    ids = prompt
    finished = (prompt == eos_id).any(dim=1) if eos_id is not None else torch.zeros(prompt.size(0), dtype=torch.bool, device=prompt.device)
    with torch.no_grad():
        for _ in range(max_new_tokens):
            if eos_id is not None and bool(finished.all()):
                break
            next_token = model(ids)[:, -1].argmax(dim=-1)
            if eos_id is not None:
                next_token = torch.where(finished, torch.full_like(next_token, eos_id), next_token)
                finished = finished | (next_token == eos_id)
            ids = torch.cat([ids, next_token[:, None]], dim=1)
    return ids
