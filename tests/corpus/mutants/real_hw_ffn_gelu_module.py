# exercise: PositionwiseFeedForward
# diagnosis: activation_placement
# source: https://github.com/ThanThor1/BaiTapLonNLPNhom3/blob/e37f15026b3ccae772232048d6baf7820906028f/Bài1/model/FeedForward.py
# kind: homework
# bug: the group homework builds self.act = nn.GELU() for the feed-forward where the contract (and the paper) use a ReLU
# file: layers.py
class PositionwiseFeedForward(nn.Module):
    def __init__(self, d_model, d_ff, dropout=0.0):
        super().__init__()
        self.linear1 = nn.Linear(d_model, d_ff)
        self.linear2 = nn.Linear(d_ff, d_model)
        self.dropout = nn.Dropout(dropout)
        self.act = nn.GELU()

    def forward(self, x):
        h = self.linear1(x)
        h = self.act(h)
        h = self.dropout(h)
        return self.linear2(h)
