# exercise: PositionwiseFeedForward
# diagnosis: activation_placement
# source: https://github.com/RunpengJ/UCSD_CSE256/blob/201ce5cf2e63f119acfe614324510b93466f3e50/CSE256_PA2_FA24/PA2_code/feed_forward.py
# kind: homework
# bug: the CSE256 PA2 feed-forward applies F.gelu between the two linear layers where the contract asks for a ReLU
# file: layers.py
import torch.nn.functional as F


class PositionwiseFeedForward(nn.Module):
    def __init__(self, d_model, d_ff, dropout=0.0):
        super().__init__()
        self.linear1 = nn.Linear(d_model, d_ff)
        self.linear2 = nn.Linear(d_ff, d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        out = F.gelu(self.linear1(x))
        out = self.dropout(out)
        return self.linear2(out)
