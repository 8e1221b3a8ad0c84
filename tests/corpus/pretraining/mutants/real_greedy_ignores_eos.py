# exercise: greedy_decode
# mistake: greedy_ignores_eos
# source: https://github.com/google/gemma_pytorch/pull/57 (google/gemma_pytorch#57)
# reported: generate() kept producing tokens after a sequence had generated EOS, until output_len, instead of stopping once every sequence was done
# file: generation.py
def greedy_decode(model, prompt, max_new_tokens, eos_id=None):
    ids = prompt
    with torch.no_grad():
        for _ in range(max_new_tokens):
            next_token = model(ids)[:, -1].argmax(dim=-1)
            ids = torch.cat([ids, next_token[:, None]], dim=1)
    return ids
