# exercise: PositionwiseFeedForward
# diagnosis: activation_placement
# source: https://github.com/saccinzz22/Attention_Is_All_I_Need/blob/14e911777dd7042b62ce6b13be9e452801094995/layers/feed_forward.py
# kind: homework
# bug: a re-implementation of the paper that calls torch.nn.functional.gelu between the two linear layers; the paper's FFN is max(0, xW1 + b1)W2 + b2
# file: layers.py
class PositionwiseFeedForward(nn.Module):
    def __init__(self, d_model, d_ff, dropout=0.0):
        super().__init__()
        self.linear1 = nn.Linear(d_model, d_ff)
        self.linear2 = nn.Linear(d_ff, d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        return self.linear2(self.dropout(torch.nn.functional.gelu(self.linear1(x))))
