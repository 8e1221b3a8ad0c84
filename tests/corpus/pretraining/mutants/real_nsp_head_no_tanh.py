# exercise: NSPHead
# mistake: nsp_pooler_without_tanh
# source: https://github.com/google-research/bert/issues/43 (google-research/bert#43; also huggingface/transformers#782)
# reported: the paper describes only a classification layer on the [CLS] state, while the code has a dense layer with tanh (the pooler) before it; implementations that follow the paper's text leave the tanh out
# file: heads.py
class NSPHead(nn.Module):
    def __init__(self, d_model):
        super().__init__()
        self.pooler = nn.Linear(d_model, d_model)
        self.classifier = nn.Linear(d_model, 2)

    def forward(self, hidden):
        cls_state = hidden[:, 0]
        pooled = self.pooler(cls_state)
        return self.classifier(pooled)
