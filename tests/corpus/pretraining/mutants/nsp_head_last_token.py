# exercise: NSPHead
# mistake: nsp_head_last_token
# source: invented (GPT classifies from the last token, the only one that has seen the whole sequence; BERT's [CLS] is at position 0)
# reported: not reported; invented
# file: heads.py
class NSPHead(nn.Module):
    def __init__(self, d_model):
        super().__init__()
        self.pooler = nn.Linear(d_model, d_model)
        self.classifier = nn.Linear(d_model, 2)

    def forward(self, hidden):
        cls_state = hidden[:, -1]
        pooled = torch.tanh(self.pooler(cls_state))
        return self.classifier(pooled)
