# exercise: filter_logits
# file: generation.py
def filter_logits(logits, top_k=0, top_p=1.0):
    out = logits.clone(memory_format=torch.contiguous_format)
    rows = out.view(-1, out.size(-1))
    for r in range(rows.size(0)):
        row = rows[r]
        if top_k > 0:
            kth = row.sort(descending=True).values[min(top_k, row.numel()) - 1]
            row[row < kth] = float("-inf")
        if top_p < 1.0:
            probs = torch.softmax(row, dim=-1)
            order = probs.argsort(descending=True)
            mass, last = 0.0, order[0]
            for j in order.tolist():
                if mass >= top_p and j != order[0]:
                    break
                mass += float(probs[j])
                last = j
            row[row < row[last]] = float("-inf")
    return out
